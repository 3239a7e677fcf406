with

source as (
    select * from {{ source('ml', 'runs') }}
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
        folds as folds_count,
        first_test_date,
        last_test_date,
        note,
        input_hash
    from source
)

select * from final
