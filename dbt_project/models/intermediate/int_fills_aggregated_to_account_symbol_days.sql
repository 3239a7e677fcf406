{{
    config(
        materialized='incremental',
        incremental_strategy='delete+insert',
        unique_key=['account_name', 'trade_date'],
        on_schema_change='fail',
    )
}}
-- Fill-derived activity per account, symbol and day: the one pass over all fills that the
-- account-day measures and the reconciliation build on. Incremental: a run re-aggregates only
-- the account-days that received rows in loads newer than the last run (new days and restated
-- days alike).
with

fills as (
    select * from {{ ref('stg_propreports__fills') }}
    {% if is_incremental() %}
        where {{ account_days_loaded_after(ref('stg_propreports__fills'),
            'select coalesce(max(max_load_seq), 0) from ' ~ this) }}
    {% endif %}
),

measured as (
    select
        *,
        quantity * price as notional,
        {{ minutes_after_open('executed_at_eastern') }} as minutes_after_open
    from fills
),

final as (
    select
        account_name,
        trade_date,
        symbol,
        count(*) as fills_count,
        count(distinct order_id) as orders_count,
        sum(quantity) as shares_traded,
        sum(side_sign * quantity) as net_quantity,
        sum(-side_sign * quantity * price) as cash_flow,
        sum(notional) as notional_traded,
        max(notional) as largest_fill_notional,
        sum(case when side = 'T' then 1 else 0 end) as short_sale_fills,
        sum(total_fees) as fills_fees,
        sum(commission) as commission,
        sum(ecn_fee) as ecn_fees,
        sum(case when ecn_fee < 0 then -ecn_fee else 0 end) as ecn_rebates,
        sum(case when minutes_after_open < 60 then 1 else 0 end) as opening_hour_fills,
        sum(case when minutes_after_open >= 330 then 1 else 0 end) as closing_half_hour_fills,
        sum(case when minutes_after_open >= 240 then 1 else 0 end) as afternoon_fills,
        min(executed_at_eastern) as first_fill_at,
        max(executed_at_eastern) as last_fill_at,
        max(_load_seq) as max_load_seq
    from measured
    group by account_name, trade_date, symbol
)

select * from final
