with

source as (
    select * from {{ source('ml', 'backtest_runs') }}
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
    from source
)

select * from final
