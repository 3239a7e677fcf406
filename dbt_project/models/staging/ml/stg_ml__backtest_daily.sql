with

source as (
    select * from {{ source('ml', 'backtest_daily') }}
),

final as (
    select
        run_id,
        policy,
        trader_id,
        target_date,
        size,
        pnl_usd,
        unsized_pnl_usd,
        fees_usd,
        change_cost_usd
    from source
)

select * from final
