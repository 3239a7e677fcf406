-- Feature-importance stability across retrains as the monitor run that counts for each as_of_date
-- (the last to finish that day) measured it; the table has no date, so it comes from the run.
with

stability as (
    select * from {{ ref('stg_ml__importance_stability') }}
),

latest_runs as (
    select run_id, as_of_date, finished_at from {{ ref('int_monitor_runs_filtered_to_latest_per_day') }}
),

final as (
    select
        r.as_of_date,
        s.run_id,
        r.finished_at as run_finished_at,
        s.model_version,
        s.previous_version,
        s.target,
        s.gain_rank_correlation,
        s.top_overlap
    from stability as s
    inner join latest_runs as r on s.run_id = r.run_id
)

select * from final
