-- One row per trader per trading day from the trader's first trade while he has not departed:
-- idle days are rows with zero activity. Departure is decided point in time: a trader departs on
-- the day he completes var('departed_after_idle_trading_days') trading days without activity
-- (knowable at that close), and is back on the spine from his next trade.
with

traders as (
    select * from {{ ref('dim_traders') }}
    where first_trade_date is not null
),

calendar as (
    select * from {{ ref('int_calendar_days_filtered_to_trading_days') }}
),

accounts as (
    select account_name, trader_id from {{ ref('int_accounts_mapped_to_traders') }}
),

totals as (
    select a.trader_id, t.*
    from {{ ref('int_totals_aggregated_to_account_days') }} as t
    inner join accounts as a on t.account_name = a.account_name
),

fills as (
    select a.trader_id, f.*
    from {{ ref('int_fills_aggregated_to_account_days') }} as f
    inner join accounts as a on f.account_name = a.account_name
),

reconciliation as (
    select a.trader_id, r.trade_date, r.reconciliation_status
    from {{ ref('int_fills_reconciled_to_account_days') }} as r
    inner join accounts as a on r.account_name = a.account_name
),

totals_by_trader as (
    select
        trader_id,
        trade_date,
        count(*) as accounts_traded,
        sum(gross_pnl) as gross_pnl,
        sum(net_pnl) as net_pnl,
        sum(total_fees) as total_fees,
        sum(unrealized_delta) as unrealized_delta,
        sum(total_delta) as total_delta
    from totals
    group by trader_id, trade_date
),

fills_by_trader as (
    select
        trader_id,
        trade_date,
        sum(fills_count) as fills_count,
        sum(orders_count) as orders_count,
        sum(symbols_traded) as symbols_traded,
        sum(shares_traded) as shares_traded,
        sum(notional_traded) as notional_traded,
        max(largest_fill_notional) as largest_fill_notional,
        sum(short_sale_fills) as short_sale_fills,
        sum(fills_fees) as fills_fees,
        sum(ecn_rebates) as ecn_rebates,
        sum(opening_hour_fills) as opening_hour_fills,
        sum(afternoon_fills) as afternoon_fills,
        sum(closing_half_hour_fills) as closing_half_hour_fills,
        min(first_fill_at) as first_fill_at,
        max(last_fill_at) as last_fill_at
    from fills
    group by trader_id, trade_date
),

-- A trader-day is as good as its worst account-day.
reconciliation_by_trader as (
    select
        trader_id,
        trade_date,
        max(case when reconciliation_status = 'ok' then 0 else 1 end) = 0 as is_reconciled,
        min(case when reconciliation_status = 'ok' then null else reconciliation_status end)
            as reconciliation_issue
    from reconciliation
    group by trader_id, trade_date
),

tenure_days as (
    select
        t.trader_id,
        t.desk,
        c.trade_date,
        c.trading_day_number,
        coalesce(a.trade_date is not null or f.trade_date is not null, false) as is_active
    from traders as t
    inner join calendar as c on t.first_trade_date <= c.trade_date
    left join totals_by_trader as a on t.trader_id = a.trader_id and c.trade_date = a.trade_date
    left join fills_by_trader as f on t.trader_id = f.trader_id and c.trade_date = f.trade_date
),

-- Trading days since the last active day, from rows up to this one only (0 on an active day).
idle_counted as (
    select
        *,
        trading_day_number - max(case when is_active then trading_day_number end) over (
            partition by trader_id order by trade_date rows between unbounded preceding and current row
        ) as idle_trading_days
    from tenure_days
),

spine as (
    select * from idle_counted
    where idle_trading_days < {{ var('departed_after_idle_trading_days') }}
),

final as (
    select
        s.trader_id,
        s.trade_date,
        s.trading_day_number,
        s.desk,
        s.is_active,
        cast(s.idle_trading_days as bigint) as idle_trading_days,
        cast(coalesce(t.accounts_traded, 0) as bigint) as accounts_traded,
        cast(coalesce(t.gross_pnl, 0) as double) as gross_pnl,
        cast(coalesce(t.net_pnl, 0) as double) as net_pnl,
        cast(coalesce(t.total_fees, 0) as double) as total_fees,
        cast(coalesce(t.unrealized_delta, 0) as double) as unrealized_delta,
        cast(coalesce(t.total_delta, 0) as double) as total_delta,
        cast(coalesce(f.fills_count, 0) as bigint) as fills_count,
        cast(coalesce(f.orders_count, 0) as bigint) as orders_count,
        cast(coalesce(f.symbols_traded, 0) as bigint) as symbols_traded,
        cast(coalesce(f.shares_traded, 0) as decimal(38, 8)) as shares_traded,
        cast(coalesce(f.notional_traded, 0) as double) as notional_traded,
        cast(coalesce(f.largest_fill_notional, 0) as double) as largest_fill_notional,
        cast(coalesce(f.short_sale_fills, 0) as bigint) as short_sale_fills,
        cast(coalesce(f.ecn_rebates, 0) as double) as ecn_rebates,
        cast(coalesce(f.opening_hour_fills, 0) as bigint) as opening_hour_fills,
        cast(coalesce(f.afternoon_fills, 0) as bigint) as afternoon_fills,
        cast(coalesce(f.closing_half_hour_fills, 0) as bigint) as closing_half_hour_fills,
        f.first_fill_at,
        f.last_fill_at,
        r.is_reconciled,
        r.reconciliation_issue
    from spine as s
    left join totals_by_trader as t on s.trader_id = t.trader_id and s.trade_date = t.trade_date
    left join fills_by_trader as f on s.trader_id = f.trader_id and s.trade_date = f.trade_date
    left join reconciliation_by_trader as r on s.trader_id = r.trader_id and s.trade_date = r.trade_date
)

select * from final
