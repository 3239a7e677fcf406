with

source as (
    select * from {{ source('ml', 'overrides') }}
),

final as (
    select
        override_id,
        recorded_at,
        recorded_by,
        trader_id,
        target_date,
        prediction_run_id,
        model_version,
        action,
        size,
        reason
    from source
)

select * from final
