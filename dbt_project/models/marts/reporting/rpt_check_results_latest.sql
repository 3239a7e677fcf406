-- The results of the latest data-check run, the one that decides which predictions are stopped.
with

results as (
    select * from {{ ref('stg_quality__check_results') }}
),

latest_run as (
    select run_id from {{ ref('rpt_check_runs') }}
    where is_latest
),

final as (
    select r.*
    from results as r
    inner join latest_run as l on r.run_id = l.run_id
)

select * from final
