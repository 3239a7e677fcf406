with

source as (
    select * from {{ source('ml', 'backtest_comparisons') }}
),

final as (
    select
        run_id,
        policy,
        versus,
        metric,
        difference,
        ci_low,
        ci_high,
        level
    from source
)

select * from final
