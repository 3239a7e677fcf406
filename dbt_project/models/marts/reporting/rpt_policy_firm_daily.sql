-- The firm's P&L day by day under each sizing policy of the policy backtest that finished last:
-- summed over the traders active that day, accumulated, and the drawdown from the running peak
-- of the cumulative P&L (the peak starts at 0, so a losing start is a drawdown too).
with

daily as (
    select * from {{ ref('stg_ml__backtest_daily') }}
),

latest_run as (
    select * from {{ ref('int_backtest_runs_filtered_to_latest') }}
),

firm_days as (
    select
        d.run_id,
        d.policy,
        d.target_date,
        sum(d.pnl_usd) as pnl_usd,
        sum(d.unsized_pnl_usd) as unsized_pnl_usd,
        -- One row per trader per day, so the rows are the traders.
        count(*) as traders_count,
        avg(d.size) as mean_size
    from daily as d
    inner join latest_run as r on d.run_id = r.run_id
    group by d.run_id, d.policy, d.target_date
),

accumulated as (
    select
        *,
        sum(pnl_usd) over (
            partition by policy order by target_date
            rows between unbounded preceding and current row
        ) as cumulative_pnl_usd
    from firm_days
),

final as (
    select
        run_id,
        policy,
        target_date,
        pnl_usd,
        unsized_pnl_usd,
        cumulative_pnl_usd,
        cumulative_pnl_usd
        - greatest(
            max(cumulative_pnl_usd) over (
                partition by policy order by target_date
                rows between unbounded preceding and current row
            ),
            0
        ) as drawdown_usd,
        traders_count,
        mean_size
    from accumulated
)

select * from final
