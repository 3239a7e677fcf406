-- Traders a live predict run did not score because a critical data check failed, with the run
-- (ml.runs) that stopped, for the viewer's data-quality page. A left join, so a blocked row shows
-- even if its run row is missing.
with

blocked as (
    select * from {{ ref('stg_ml__blocked_predictions') }}
),

runs as (
    select run_id, run_kind, started_at, finished_at, note from {{ ref('stg_ml__runs') }}
),

final as (
    select
        b.run_id,
        r.run_kind,
        r.started_at as run_started_at,
        r.finished_at as run_finished_at,
        r.note as run_note,
        b.as_of_date,
        b.trader_id,
        b.check_run_id,
        b.reason
    from blocked as b
    left join runs as r on b.run_id = r.run_id
)

select * from final
