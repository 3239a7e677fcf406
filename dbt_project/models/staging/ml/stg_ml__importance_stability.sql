with

source as (
    select * from {{ source('ml', 'importance_stability') }}
),

final as (
    select
        run_id,
        model_version,
        previous_version,
        target,
        gain_rank_correlation,
        top_overlap
    from source
)

select * from final
