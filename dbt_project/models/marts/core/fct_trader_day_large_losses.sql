-- The large-loss rule of docs/architecture.md §5 in one place, for the label and the features alike: a
-- day is a large loss when its net P&L is at or below the trader's own 10th percentile over the
-- trailing 120 active days up to and including the previous trading day (>= 20 such days).
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
                            var('large_loss_lookback_active_days')) }} as threshold,
        count(*) over (
            partition by trader_id order by trade_date
            rows between {{ var('large_loss_lookback_active_days') - 1 }} preceding and current row
        ) as lookback_active_days
    from trader_days
    where is_active
),

-- Idle days keep the threshold of the last active day: number each run of days that starts at an
-- active day, then spread that day's values over its run (no later value can enter).
runs as (
    select
        d.*,
        a.threshold,
        a.lookback_active_days,
        count(a.threshold) over (
            partition by d.trader_id order by d.trade_date rows between unbounded preceding and current row
        ) as run_number
    from trader_days as d
    left join active_days as a on d.trader_id = a.trader_id and d.trade_date = a.trade_date
),

known_at_close as (
    select
        trader_id,
        trade_date,
        trading_day_number,
        is_active,
        net_pnl,
        max(threshold) over (partition by trader_id, run_number) as large_loss_threshold,
        max(lookback_active_days) over (partition by trader_id, run_number) as lookback_active_days
    from runs
),

final as (
    select
        *,
        case
            when
                is_active
                and lag(lookback_active_days) over by_trader >= {{ var('large_loss_min_active_days') }}
                then net_pnl <= lag(large_loss_threshold) over by_trader
        end as is_large_loss
    from known_at_close
    window by_trader as (partition by trader_id order by trade_date)
)

select * from final
