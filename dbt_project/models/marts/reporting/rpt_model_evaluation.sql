-- The scores of the backtest run that finished last, pooled over all its folds (fold_id null):
-- what `riskman evaluate` prints (ml.jobs.latest_evaluation).
with

evaluation as (
    select * from {{ ref('stg_ml__evaluation') }}
),

latest_run as (
    select *
    from {{ ref('int_ml_runs_filtered_to_latest_per_kind') }}
    where run_kind = 'backtest'
),

final as (
    select
        e.run_id,
        r.finished_at as run_finished_at,
        e.model,
        e.target,
        e.metric,
        e.metric_value
    from evaluation as e
    inner join latest_run as r on e.run_id = r.run_id
    where e.fold_id is null
)

select * from final
