with

source as (
    select * from {{ source('config', 'trader_accounts') }}
),

-- The config file is one mapping: its newest loaded version replaces the previous one whole.
newest as (
    select * from source
    where _load_seq = (select max(versions._load_seq) from source as versions)
),

final as (
    select
        account_name,
        trader_id,
        trader_name,
        desk,
        cast(daily_loss_limit as double) as daily_loss_limit_usd,
        _loaded_at
    from newest
)

select * from final
