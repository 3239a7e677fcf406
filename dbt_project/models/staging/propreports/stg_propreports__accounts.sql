with

source as (
    {{ known_version(source('propreports', 'accounts'), ['account_id']) }}
),

final as (
    select
        account_id,
        account_name,
        first_traded as first_traded_date,
        last_traded as last_traded_date,
        currency,
        cash,
        unrealized,
        _load_id,
        _loaded_at
    from source
)

select * from final
