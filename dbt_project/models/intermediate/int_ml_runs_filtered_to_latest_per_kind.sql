-- The run of each kind (backtest, live, tune) that finished last: the one the reporting marts show.
-- A view, so it is current as soon as an ML step has written, without another dbt run.
{{ config(materialized='view') }}

with

runs as (
    select * from {{ ref('stg_ml__runs') }}
),

ranked as (
    select
        *,
        row_number() over (partition by run_kind order by finished_at desc, run_id desc) as recency_rank
    from runs
),

final as (
    select
        run_id,
        run_kind,
        started_at,
        finished_at,
        code_version,
        config_hash,
        feature_set_hash,
        retrain_step_days,
        folds_count,
        first_test_date,
        last_test_date,
        note
    from ranked
    where recency_rank = 1
)

select * from final
