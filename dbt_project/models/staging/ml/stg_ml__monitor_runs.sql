with

source as (
    select * from {{ source('ml', 'monitor_runs') }}
),

final as (
    select
        run_id,
        as_of_date,
        started_at,
        finished_at,
        input_hash,
        model_version,
        reference_start as reference_start_date,
        reference_end as reference_end_date,
        current_start as current_start_date,
        current_end as current_end_date,
        tests as tests_count,
        flagged as flagged_count,
        alerts_raised as alerts_raised_count,
        note
    from source
)

select * from final
