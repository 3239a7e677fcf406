-- What happened on the next trading day after as_of_date (ARCHITECTURE §5). A label exists only
-- when the trader traded on that next day. The large-loss threshold is the trader's own 10th
-- percentile of daily net P&L over the trailing 120 active days up to and including as_of_date.
with

trader_days as (
    select trader_id, trade_date, trading_day_number, is_active, net_pnl
    from {{ ref('fct_trader_days') }}
),

active_days as (
    select
        trader_id,
        trade_date,
        {{ rolling_quantile('net_pnl', var('large_loss_quantile'), 'trader_id', 'trade_date',
                            var('large_loss_lookback_active_days')) }} as large_loss_threshold,
        count(*) over (
            partition by trader_id order by trade_date
            rows between {{ var('large_loss_lookback_active_days') - 1 }} preceding and current row
        ) as lookback_active_days
    from trader_days
    where is_active
),

-- Thresholds carry forward over idle days: they are known at every as_of_date.
thresholds as (
    select
        d.trader_id,
        d.trade_date as as_of_date,
        d.trading_day_number,
        a.large_loss_threshold,
        a.lookback_active_days
    from trader_days as d
    left join active_days as a
        on d.trader_id = a.trader_id
        and a.trade_date = (
            select max(p.trade_date) from active_days as p
            where p.trader_id = d.trader_id and p.trade_date <= d.trade_date
        )
),

final as (
    select
        t.trader_id,
        t.as_of_date,
        n.trade_date as target_date,
        n.net_pnl,
        n.net_pnl < 0 as is_loss,
        case
            when t.lookback_active_days >= {{ var('large_loss_min_active_days') }}
                then n.net_pnl <= t.large_loss_threshold
        end as is_large_loss,
        t.large_loss_threshold
    from thresholds as t
    inner join trader_days as n
        on t.trader_id = n.trader_id and n.trading_day_number = t.trading_day_number + 1
    where n.is_active
)

select * from final
