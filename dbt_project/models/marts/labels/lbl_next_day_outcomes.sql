-- What happened on the next trading day after as_of_date (docs/architecture.md §5). A label exists only
-- when the trader traded on that next day; the large-loss rule lives in fct_trader_day_large_losses.
with

trader_days as (
    select * from {{ ref('fct_trader_day_large_losses') }}
),

final as (
    select
        t.trader_id,
        t.as_of_date,
        n.trade_date as target_date,
        n.net_pnl,
        n.net_pnl < 0 as is_loss,
        n.is_large_loss,
        t.large_loss_threshold
    from (select *, trade_date as as_of_date from trader_days) as t
    inner join trader_days as n
        on t.trader_id = n.trader_id and t.trading_day_number + 1 = n.trading_day_number
    where n.is_active
)

select * from final
