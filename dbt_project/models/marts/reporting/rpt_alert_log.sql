-- The whole alert log for the viewer's history: every ml.alerts row with its monitor run's finish
-- time, and whether that run is still the one that counts for its day (a later rerun of the day
-- supersedes it). A left join, so a row whose run is missing still shows.
with

alerts as (
    select * from {{ ref('stg_ml__alerts') }}
),

runs as (
    select run_id, finished_at from {{ ref('stg_ml__monitor_runs') }}
),

latest_runs as (
    select run_id from {{ ref('int_monitor_runs_filtered_to_latest_per_day') }}
),

final as (
    select
        a.run_id,
        a.as_of_date,
        r.finished_at as run_finished_at,
        l.run_id is not null as is_latest_run_of_day,
        a.alert_key,
        a.rule,
        a.severity,
        a.subject,
        a.condition,
        a.status,
        a.message,
        a.details_json,
        a.delivered_to
    from alerts as a
    left join runs as r on a.run_id = r.run_id
    left join latest_runs as l on a.run_id = l.run_id
)

select * from final
