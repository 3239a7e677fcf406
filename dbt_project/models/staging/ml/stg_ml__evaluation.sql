with

source as (
    select * from {{ source('ml', 'evaluation') }}
),

final as (
    select
        run_id,
        fold_id,
        model,
        target,
        metric,
        value as metric_value
    from source
)

select * from final
