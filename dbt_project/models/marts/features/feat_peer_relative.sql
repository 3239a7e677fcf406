-- The trader against the desk and the firm on the same day, in vol-scaled P&L (each trader's
-- net P&L over their own prior 60-day volatility) so big and small books compare. Every
-- statistic is across traders within one trade_date: it uses only closes of as_of_date.
with

trader_days as (
    select trader_id, trade_date, desk, is_active from {{ ref('fct_trader_days') }}
),

-- Peers are the traders active that day whose volatility is known yet.
peers as (
    select d.trader_id, d.trade_date, d.desk, p.net_pnl_vol_scaled as score
    from trader_days as d
    inner join {{ ref('feat_performance') }} as p
        on d.trader_id = p.trader_id and d.trade_date = p.as_of_date
    where d.is_active and p.net_pnl_vol_scaled is not null
),

desk_days as (
    select trade_date, desk, count(*) as active_peers, {{ aggregate_median('score') }} as median_score
    from peers
    group by trade_date, desk
),

firm_days as (
    select trade_date, count(*) as active_peers, {{ aggregate_median('score') }} as median_score
    from peers
    group by trade_date
),

-- Cross-sectional: partitions are one desk on one day (the same day's closes, no other day).
-- The z-score includes the trader, so it stays bounded on a small desk.
ranked as (
    select
        *,
        avg(score) over (partition by trade_date, desk) as desk_mean,
        stddev_samp(score) over (partition by trade_date, desk) as desk_std,
        percent_rank() over (partition by trade_date, desk order by score) as desk_rank
    from peers
),

final as (
    select
        d.trader_id,
        d.trade_date as as_of_date,
        cast(coalesce(k.active_peers, 0) as double) as desk_active_peers,
        cast((o.score - o.desk_mean) / nullif(o.desk_std, 0) as double) as desk_peer_vol_scaled_pnl_z,
        cast(case when k.active_peers >= 2 then o.desk_rank end as double) as desk_vol_scaled_pnl_rank_pct,
        cast(case when k.active_peers >= 2 then k.median_score end as double) as desk_median_vol_scaled_pnl,
        cast(case when k.active_peers >= 2 then o.score - k.median_score end as double)
            as vol_scaled_pnl_minus_desk_median,
        cast(case when f.active_peers >= 2 then f.median_score end as double) as firm_median_vol_scaled_pnl,
        cast(case when f.active_peers >= 2 then o.score - f.median_score end as double)
            as vol_scaled_pnl_minus_firm_median
    from trader_days as d
    left join ranked as o on d.trader_id = o.trader_id and d.trade_date = o.trade_date
    left join desk_days as k on d.trade_date = k.trade_date and d.desk = k.desk
    left join firm_days as f on d.trade_date = f.trade_date
)

select * from final
