-- Fill-derived activity per account-day, summed from the account-symbol-day aggregate (an order
-- is for one symbol, so per-symbol distinct orders add up to the day's distinct orders).
with

symbol_days as (
    select * from {{ ref('int_fills_aggregated_to_account_symbol_days') }}
),

final as (
    select
        account_name,
        trade_date,
        sum(fills_count) as fills_count,
        sum(orders_count) as orders_count,
        count(*) as symbols_traded,
        sum(shares_traded) as shares_traded,
        sum(notional_traded) as notional_traded,
        max(largest_fill_notional) as largest_fill_notional,
        sum(short_sale_fills) as short_sale_fills,
        sum(fills_fees) as fills_fees,
        sum(commission) as commission,
        sum(ecn_fees) as ecn_fees,
        sum(ecn_rebates) as ecn_rebates,
        sum(opening_hour_fills) as opening_hour_fills,
        sum(closing_half_hour_fills) as closing_half_hour_fills,
        sum(afternoon_fills) as afternoon_fills,
        min(first_fill_at) as first_fill_at,
        max(last_fill_at) as last_fill_at
    from symbol_days
    group by account_name, trade_date
)

select * from final
