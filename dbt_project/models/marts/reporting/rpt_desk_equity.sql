-- Each desk's net P&L day by day, accumulated, and the drawdown from its running peak (the peak
-- starts at 0, so a losing start is a drawdown too): the viewer's desk equity chart.
with

trader_days as (
    select * from {{ ref('fct_trader_days') }}
),

desk_days as (
    select
        desk,
        trade_date,
        cast(count_if(is_active) as bigint) as active_traders,
        cast(sum(net_pnl) as double) as net_pnl
    from trader_days
    group by desk, trade_date
),

accumulated as (
    select
        *,
        sum(net_pnl) over (
            partition by desk order by trade_date
            rows between unbounded preceding and current row
        ) as cumulative_net_pnl
    from desk_days
),

final as (
    select
        desk,
        trade_date,
        active_traders,
        net_pnl,
        cumulative_net_pnl,
        cumulative_net_pnl - greatest(
            0,
            max(cumulative_net_pnl) over (
                partition by desk order by trade_date
                rows between unbounded preceding and current row
            )
        ) as drawdown_usd
    from accumulated
)

select * from final
