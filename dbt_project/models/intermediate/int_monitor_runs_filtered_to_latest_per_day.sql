-- The monitor run of each as_of_date that finished last: a rerun of a day supersedes the earlier
-- run, so the drift and model-health marts show only this one per day.
-- A view, so it is current as soon as a monitor run has written, without another dbt run.
{{ config(materialized='view') }}

with

runs as (
    select * from {{ ref('stg_ml__monitor_runs') }}
),

ranked as (
    select
        *,
        row_number() over (partition by as_of_date order by finished_at desc, run_id desc) as recency_rank
    from runs
),

final as (
    select
        run_id,
        as_of_date,
        started_at,
        finished_at,
        input_hash,
        model_version,
        reference_start_date,
        reference_end_date,
        current_start_date,
        current_end_date,
        tests_count,
        flagged_count,
        alerts_raised_count,
        note
    from ranked
    where recency_rank = 1
)

select * from final
