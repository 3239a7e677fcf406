-- The sizing policies of the policy backtest that finished last, side by side: each policy's
-- firm-wide metrics (ml.backtest_metrics rows with trader_id null) pivoted to columns, and its
-- Sharpe and total P&L against no intervention with their bootstrap intervals.
with

policies as (
    select * from {{ ref('stg_ml__backtest_policies') }}
),

metrics as (
    select * from {{ ref('stg_ml__backtest_metrics') }}
),

comparisons as (
    select * from {{ ref('stg_ml__backtest_comparisons') }}
),

latest_run as (
    select * from {{ ref('int_backtest_runs_filtered_to_latest') }}
),

firm_metrics as (
    select
        run_id,
        policy,
        max(case when metric = 'total_pnl_usd' then metric_value end) as total_pnl_usd,
        max(case when metric = 'sharpe' then metric_value end) as sharpe,
        max(case when metric = 'sortino' then metric_value end) as sortino,
        max(case when metric = 'calmar' then metric_value end) as calmar,
        max(case when metric = 'annual_volatility' then metric_value end) as annual_volatility,
        max(case when metric = 'max_drawdown_usd' then metric_value end) as max_drawdown_usd,
        max(case when metric = 'max_drawdown_pct_capital' then metric_value end) as max_drawdown_pct_capital,
        max(case when metric = 'longest_days_under_water' then metric_value end) as longest_days_under_water,
        max(case when metric = 'hit_rate' then metric_value end) as hit_rate,
        max(case when metric = 'saved_on_loss_days_usd' then metric_value end) as saved_on_loss_days_usd,
        max(case when metric = 'forgone_on_win_days_usd' then metric_value end) as forgone_on_win_days_usd,
        max(case when metric = 'fees_usd' then metric_value end) as fees_usd,
        max(case when metric = 'change_cost_usd' then metric_value end) as change_cost_usd
    from metrics
    where trader_id is null
    group by run_id, policy
),

versus_no_intervention as (
    select
        run_id,
        policy,
        max(case when metric = 'sharpe' then difference end) as sharpe_difference_vs_none,
        max(case when metric = 'sharpe' then ci_low end) as sharpe_difference_ci_low,
        max(case when metric = 'sharpe' then ci_high end) as sharpe_difference_ci_high,
        max(case when metric = 'total_pnl_usd' then difference end) as total_pnl_difference_vs_none,
        max(case when metric = 'total_pnl_usd' then ci_low end) as total_pnl_difference_ci_low,
        max(case when metric = 'total_pnl_usd' then ci_high end) as total_pnl_difference_ci_high
    from comparisons
    where versus = 'no_intervention'
    group by run_id, policy
),

final as (
    select
        p.run_id,
        r.finished_at as run_finished_at,
        p.policy,
        p.family,
        p.description,
        m.total_pnl_usd,
        m.sharpe,
        m.sortino,
        m.calmar,
        m.annual_volatility,
        m.max_drawdown_usd,
        m.max_drawdown_pct_capital,
        m.longest_days_under_water,
        m.hit_rate,
        m.saved_on_loss_days_usd,
        m.forgone_on_win_days_usd,
        m.fees_usd,
        m.change_cost_usd,
        c.sharpe_difference_vs_none,
        c.sharpe_difference_ci_low,
        c.sharpe_difference_ci_high,
        c.total_pnl_difference_vs_none,
        c.total_pnl_difference_ci_low,
        c.total_pnl_difference_ci_high
    from policies as p
    inner join latest_run as r on p.run_id = r.run_id
    left join firm_metrics as m
        on p.run_id = m.run_id and p.policy = m.policy
    left join versus_no_intervention as c
        on p.run_id = c.run_id and p.policy = c.policy
)

select * from final
