with

source as (
    select * from {{ source('ml', 'backtest_metrics') }}
),

final as (
    select
        run_id,
        policy,
        trader_id,
        metric,
        value as metric_value
    from source
)

select * from final
