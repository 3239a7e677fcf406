-- Each trader's days for the viewer's drill-down: P&L, its running total, activity, and whether
-- the day broke the trader's daily loss limit (no limit configured: never).
with

trader_days as (
    select * from {{ ref('fct_trader_days') }}
),

traders as (
    select trader_id, trader_name, daily_loss_limit_usd from {{ ref('dim_traders') }}
),

final as (
    select
        d.trader_id,
        t.trader_name,
        d.desk,
        d.trade_date,
        d.is_active,
        cast(d.net_pnl as double) as net_pnl,
        cast(sum(d.net_pnl) over (
            partition by d.trader_id order by d.trade_date
            rows between unbounded preceding and current row
        ) as double) as cumulative_net_pnl,
        d.fills_count,
        cast(d.shares_traded as double) as shares_traded,
        cast(d.notional_traded as double) as notional_traded,
        cast(d.total_fees as double) as total_fees,
        t.daily_loss_limit_usd,
        coalesce(d.net_pnl < -t.daily_loss_limit_usd, false) as is_loss_limit_breach
    from trader_days as d
    left join traders as t on d.trader_id = t.trader_id
)

select * from final
