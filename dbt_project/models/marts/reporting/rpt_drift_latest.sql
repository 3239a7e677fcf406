-- Drift results of the monitor run that counts for each as_of_date (the last to finish that day),
-- with the run's reference and current windows beside every test.
with

drift as (
    select * from {{ ref('stg_ml__drift_results') }}
),

latest_runs as (
    select * from {{ ref('int_monitor_runs_filtered_to_latest_per_day') }}
),

final as (
    select
        r.as_of_date,
        d.run_id,
        r.finished_at as run_finished_at,
        r.model_version,
        r.reference_start_date,
        r.reference_end_date,
        r.current_start_date,
        r.current_end_date,
        d.scope,
        d.trader_id,
        d.column_name,
        d.column_kind,
        d.reference_count,
        d.current_count,
        d.effective_reference,
        d.effective_current,
        d.psi,
        d.ks,
        d.p_value,
        d.attainable_p_value,
        d.counted,
        d.flagged,
        d.reference_median,
        d.current_median
    from drift as d
    inner join latest_runs as r on d.run_id = r.run_id
)

select * from final
