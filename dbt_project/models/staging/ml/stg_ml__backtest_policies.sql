with

source as (
    select * from {{ source('ml', 'backtest_policies') }}
),

final as (
    select
        run_id,
        policy,
        family,
        description,
        grid_points,
        parameter_schedule
    from source
)

select * from final
