-- Model health as the monitor run that counts for each as_of_date (the last to finish that day)
-- measured it: realised and estimated scores per model version, target and window.
with

health as (
    select * from {{ ref('stg_ml__model_health') }}
),

latest_runs as (
    select run_id, finished_at from {{ ref('int_monitor_runs_filtered_to_latest_per_day') }}
),

final as (
    select
        h.as_of_date,
        h.run_id,
        r.finished_at as run_finished_at,
        h.model_version,
        h.target,
        h.window_start_date,
        h.window_end_date,
        h.rows_count,
        h.labelled_rows_count,
        h.realised_auc,
        h.realised_brier,
        h.calibration_error,
        h.estimated_auc,
        h.estimated_brier,
        h.reference_auc,
        h.degraded
    from health as h
    inner join latest_runs as r on h.run_id = r.run_id
)

select * from final
