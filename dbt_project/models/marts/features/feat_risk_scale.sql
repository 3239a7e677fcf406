-- The trader's recent volatility against the scale his large-loss threshold was set on, over
-- his active days only (idle days carry the last active day's values, as the label's rule does).
-- The threshold itself comes from fct_trader_day_large_losses, the one place the rule lives.
with

trader_days as (
    select trader_id, trade_date, is_active, net_pnl
    from {{ ref('fct_trader_days') }}
),

-- On row t: the threshold through t (carried over idle days), which the next active day's label
-- is judged against, and how many active days it rests on.
thresholds as (
    select trader_id, trade_date, large_loss_threshold, lookback_active_days
    from {{ ref('fct_trader_day_large_losses') }}
),

active_days as (
    select
        trader_id,
        trade_date,
        stddev_samp(net_pnl) over (
            partition by trader_id order by trade_date rows between 19 preceding and current row
        ) as std_20,
        count(*) over (
            partition by trader_id order by trade_date rows between 19 preceding and current row
        ) as days_20,
        stddev_samp(net_pnl) over (
            partition by trader_id order by trade_date
            rows between {{ var('large_loss_lookback_active_days') - 1 }} preceding and current row
        ) as std_lookback
    from trader_days
    where is_active
),

-- Each run of days starts at an active day; its idle days repeat that day's values.
runs as (
    select
        d.trader_id,
        d.trade_date,
        a.std_20,
        a.days_20,
        a.std_lookback,
        count(a.trade_date) over (
            partition by d.trader_id order by d.trade_date rows between unbounded preceding and current row
        ) as run_number
    from trader_days as d
    left join active_days as a on d.trader_id = a.trader_id and d.trade_date = a.trade_date
),

carried as (
    select
        r.trader_id,
        r.trade_date,
        max(r.std_20) over (partition by r.trader_id, r.run_number) as std_20,
        max(r.days_20) over (partition by r.trader_id, r.run_number) as days_20,
        max(r.std_lookback) over (partition by r.trader_id, r.run_number) as std_lookback,
        t.large_loss_threshold,
        t.lookback_active_days
    from runs as r
    inner join thresholds as t on r.trader_id = t.trader_id and r.trade_date = t.trade_date
),

final as (
    select
        trader_id,
        trade_date as as_of_date,
        cast(case
            when
                days_20 >= {{ var('feature_min_history_days', 10) }}
                and lookback_active_days >= {{ var('large_loss_min_active_days') }} and std_lookback > 0
                then std_20 / std_lookback
        end as double) as pnl_std_20d_vs_lookback,
        cast(case
            when
                days_20 >= {{ var('feature_min_history_days', 10) }}
                and lookback_active_days >= {{ var('large_loss_min_active_days') }} and std_20 > 0
                then large_loss_threshold / std_20
        end as double) as large_loss_threshold_vs_std_20d
    from carried
)

select * from final
