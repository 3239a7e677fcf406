-- What each sizing policy of the policy backtest that finished last did to each trader: the P&L
-- at the policy's sizes against the actual P&L, and how often it changed the trader's size (the
-- first day against the normal size, 1).
with

daily as (
    select * from {{ ref('stg_ml__backtest_daily') }}
),

traders as (
    select trader_id, trader_name, desk from {{ ref('dim_traders') }}
),

latest_run as (
    select * from {{ ref('int_backtest_runs_filtered_to_latest') }}
),

sized_days as (
    select
        d.run_id,
        d.policy,
        d.trader_id,
        d.target_date,
        d.size,
        d.pnl_usd,
        d.unsized_pnl_usd,
        lag(d.size, 1, 1.0) over (
            partition by d.policy, d.trader_id order by d.target_date
        ) as previous_size
    from daily as d
    inner join latest_run as r on d.run_id = r.run_id
),

contributions as (
    select
        run_id,
        policy,
        trader_id,
        sum(pnl_usd) as total_pnl_usd,
        sum(unsized_pnl_usd) as total_unsized_pnl_usd,
        count(*) as days_count,
        avg(size) as mean_size,
        count(case when size != previous_size then 1 end) as size_changes_count
    from sized_days
    group by run_id, policy, trader_id
),

final as (
    select
        c.run_id,
        c.policy,
        c.trader_id,
        t.trader_name,
        t.desk,
        c.total_pnl_usd,
        c.total_unsized_pnl_usd,
        c.total_pnl_usd - c.total_unsized_pnl_usd as pnl_difference_usd,
        c.days_count,
        c.mean_size,
        c.size_changes_count
    from contributions as c
    left join traders as t on c.trader_id = t.trader_id
)

select * from final
