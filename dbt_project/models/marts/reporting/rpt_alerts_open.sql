-- The alerts open now: each alert_key whose latest row says raised or ongoing. Latest by
-- as_of_date, then the monitor run's finished_at, over every run (not only the last of each day),
-- as the monitor itself decides what is open (ml/monitoring/monitor.py): a rerun of a day sees the
-- earlier run's rows, so its rows continue that chain.
with

alerts as (
    select * from {{ ref('stg_ml__alerts') }}
),

runs as (
    select run_id, finished_at from {{ ref('stg_ml__monitor_runs') }}
),

alert_runs as (
    select
        a.*,
        r.finished_at as run_finished_at
    from alerts as a
    inner join runs as r on a.run_id = r.run_id
),

ranked as (
    select
        *,
        row_number() over (
            partition by alert_key order by as_of_date desc, run_finished_at desc, run_id desc
        ) as recency_rank
    from alert_runs
),

-- The latest raised row starts the current episode: a key may be raised, resolved and raised again.
raised as (
    select
        alert_key,
        as_of_date,
        delivered_to,
        row_number() over (
            partition by alert_key order by as_of_date desc, run_finished_at desc, run_id desc
        ) as recency_rank
    from alert_runs
    where status = 'raised'
),

final as (
    select
        l.alert_key,
        l.rule,
        l.severity,
        l.subject,
        l.condition,
        l.status,
        f.as_of_date as first_raised_date,
        l.as_of_date as last_seen_date,
        date_diff('day', f.as_of_date, l.as_of_date) as days_open,
        l.message,
        l.details_json,
        f.delivered_to,
        l.run_id as last_run_id,
        l.run_finished_at as last_run_finished_at
    from ranked as l
    left join raised as f on l.alert_key = f.alert_key and f.recency_rank = 1
    where l.recency_rank = 1 and l.status in ('raised', 'ongoing')
)

select * from final
