with

source as (
    select * from {{ source('ml', 'tuning_runs') }}
),

final as (
    select
        run_id,
        target,
        trials as trials_count,
        best_log_loss,
        best_params as best_params_json,
        created_at
    from source
)

select * from final
