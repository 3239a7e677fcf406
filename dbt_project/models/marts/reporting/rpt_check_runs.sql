-- Each data-check run at a glance: expectations checked and failures by severity. The latest
-- run is the one the data gate reads (ml/data_gate.py: last checked_at, then the greater run_id).
with

results as (
    select * from {{ ref('stg_quality__check_results') }}
),

runs as (
    select
        run_id,
        max(checked_at) as checked_at,
        count(*) as expectations_count,
        count_if(not success and severity = 'critical') as failed_critical,
        count_if(not success and severity = 'warning') as failed_warning,
        count_if(not success and severity = 'info') as failed_info
    from results
    group by run_id
),

final as (
    select
        run_id,
        checked_at,
        cast(expectations_count as bigint) as expectations_count,
        cast(failed_critical as bigint) as failed_critical,
        cast(failed_warning as bigint) as failed_warning,
        cast(failed_info as bigint) as failed_info,
        row_number() over (order by checked_at desc, run_id desc) = 1 as is_latest
    from runs
)

select * from final
