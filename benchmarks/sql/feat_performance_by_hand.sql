-- The aggregates of feat_performance written as one hand-tuned DuckDB query (named windows,
-- FILTER clauses), the yardstick for bench_features.py.
with active as (
    select trader_id, trade_date,
           net_pnl <= quantile_cont(net_pnl, 0.1) over w120 and count(*) over w120 >= 20 as is_large_loss
    from core.fct_trader_days where is_active
    window w120 as (partition by trader_id order by trade_date rows 119 preceding)
),
w as (
    select d.trader_id, d.trade_date, d.trading_day_number as n, d.net_pnl,
           count(*) over wall as tenure,
           sum(d.net_pnl) over w3 as s3, sum(d.net_pnl) over w5 as s5,
           sum(d.net_pnl) over w20 as s20, sum(d.net_pnl) over w60 as s60,
           avg(d.net_pnl) over w5 as m5, avg(d.net_pnl) over w20 as m20, avg(d.net_pnl) over w60 as m60,
           stddev_samp(d.net_pnl) over w5 as sd5, stddev_samp(d.net_pnl) over w20 as sd20,
           stddev_samp(d.net_pnl) over w60 as sd60,
           case when count(*) over wprior >= 10 then stddev_samp(d.net_pnl) over wprior end as vol,
           skewness(d.net_pnl) over w60 as skew_samp, min(d.net_pnl) over w60 as worst60,
           count(*) filter (where d.net_pnl < 0) over w20 as loss20,
           count(*) filter (where d.is_active) over w20 as act20,
           count(*) filter (where d.net_pnl < 0) over w60 as loss60,
           count(*) filter (where d.is_active) over w60 as act60,
           avg(d.is_active::int) over w20 as act_share20,
           sum(d.net_pnl) over wall as cum,
           max(case when a.is_large_loss then d.trading_day_number end) over wall as last_ll
    from core.fct_trader_days d left join active a using (trader_id, trade_date)
    window wall as (partition by d.trader_id order by d.trade_date rows unbounded preceding),
           w3 as (partition by d.trader_id order by d.trade_date rows 2 preceding),
           w5 as (partition by d.trader_id order by d.trade_date rows 4 preceding),
           w20 as (partition by d.trader_id order by d.trade_date rows 19 preceding),
           w60 as (partition by d.trader_id order by d.trade_date rows 59 preceding),
           wprior as (partition by d.trader_id order by d.trade_date rows between 60 preceding and 1 preceding)
),
p as (
    select *, greatest(max(cum) over (partition by trader_id order by trade_date rows unbounded preceding), 0) as peak
    from w
),
q as (
    select *, max(case when cum >= peak then n end) over (
        partition by trader_id order by trade_date rows unbounded preceding) as last_peak
    from p
)
select trader_id, trade_date as as_of_date, net_pnl, s3, s5, s20, s60, m5, m20, m60, sd5, sd20, sd60,
       net_pnl / nullif(vol, 0) as vol_scaled, (m5 - m20) / nullif(vol, 0) as momentum,
       cum - peak as drawdown, (cum - peak) / nullif(vol, 0) as drawdown_vol,
       n - coalesce(last_peak, n - tenure) as days_since_peak, n - last_ll as days_since_large_loss,
       skew_samp, loss20 / nullif(act20, 0) as loss_share20, loss60 / nullif(act60, 0) as loss_share60,
       worst60 / nullif(vol, 0) as worst_vol, act_share20, tenure
from q
