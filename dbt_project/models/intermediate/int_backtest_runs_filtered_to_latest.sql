-- The policy-backtest run that finished last: the one the policy reporting marts show.
-- A view, so it is current as soon as a policy backtest has written, without another dbt run.
{{ config(materialized='view') }}

with

runs as (
    select * from {{ ref('stg_ml__backtest_runs') }}
),

ranked as (
    select
        *,
        row_number() over (order by finished_at desc, run_id desc) as recency_rank
    from runs
),

final as (
    select
        run_id,
        predictions_run_id,
        started_at,
        finished_at,
        code_version,
        config_hash,
        input_hash,
        capital_usd,
        first_date,
        last_date,
        days,
        traders,
        trials,
        best_model_policy,
        best_rule_policy,
        deflated_sharpe,
        direction_accuracy,
        failed_prediction_share,
        verdict
    from ranked
    where recency_rank = 1
)

select * from final
