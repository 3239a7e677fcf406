{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['account_name', 'trade_date'],
        on_schema_change='fail',
    )
}}
-- Every fill with its trader. Incremental like its parent: only account-days with newer loads.
with

fills as (
    select * from {{ ref('stg_propreports__fills') }}
    {% if is_incremental() %}
        where {{ account_days_loaded_after(ref('stg_propreports__fills'),
            'select coalesce(max(_load_seq), 0) from ' ~ this) }}
    {% endif %}
),

accounts as (
    select account_name, trader_id from {{ ref('int_accounts_mapped_to_traders') }}
),

final as (
    select
        f.fill_key,
        f.fill_id,
        a.trader_id,
        f.account_name,
        f.trade_date,
        f.executed_at_eastern,
        cast({{ minutes_after_open('f.executed_at_eastern') }} as integer) as minutes_after_open,
        f.symbol,
        f.side,
        f.side_sign,
        -- Quantities are exact decimals: PropReports allows eight decimals (fractional shares).
        cast(f.quantity as decimal(38, 8)) as quantity,
        cast(f.side_sign * f.quantity as decimal(38, 8)) as signed_quantity,
        cast(f.price as double) as price,
        cast(f.quantity * f.price as double) as notional,
        cast(f.total_fees as double) as total_fees,
        f.order_id,
        f.liquidity_code,
        f._load_seq
    from fills as f
    inner join accounts as a on f.account_name = a.account_name
)

select * from final
