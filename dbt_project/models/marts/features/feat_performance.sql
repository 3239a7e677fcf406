-- P&L features from the trader's own history: every window ends at as_of_date (its close is
-- known) and runs over the trader's spine rows, so idle days count as zero P&L.
with

trader_days as (
    select trader_id, trade_date, trading_day_number, is_active, net_pnl
    from {{ ref('fct_trader_days') }}
),

-- Large losses by the same rule as the label, judged on the threshold known the day before.
days as (
    select
        d.*,
        coalesce(l.is_large_loss, false) as is_large_loss
    from trader_days as d
    left join {{ ref('fct_trader_day_large_losses') }} as l
        on d.trader_id = l.trader_id and d.trade_date = l.trade_date
),

windowed as (
    select
        trader_id,
        trade_date,
        trading_day_number,
        net_pnl,
        count(*) {{ trailing_window() }} as tenure_days,
        {% for days in [3, 5, 20, 60] -%}
            sum(net_pnl) {{ trailing_window(days) }} as sum_{{ days }},
        {% endfor -%}
        {% for days in [5, 20, 60] -%}
            avg(net_pnl) {{ trailing_window(days) }} as mean_{{ days }},
            stddev_samp(net_pnl) {{ trailing_window(days) }} as std_{{ days }},
        {% endfor -%}
        -- Today is scaled by the volatility of the 60 days before it, so an outlier does not
        -- shrink its own score.
        stddev_samp(net_pnl) {{ trailing_window(60, exclude_current=true) }} as prior_vol_60,
        count(*) {{ trailing_window(60, exclude_current=true) }} as prior_days_60,
        -- Raw moments for a portable skewness.
        avg(net_pnl * net_pnl) {{ trailing_window(60) }} as moment2_60,
        avg(net_pnl * net_pnl * net_pnl) {{ trailing_window(60) }} as moment3_60,
        min(net_pnl) {{ trailing_window(60) }} as worst_60,
        {% for days in [20, 60] -%}
            sum(case when net_pnl < 0 then 1 else 0 end) {{ trailing_window(days) }} as losses_{{ days }},
            sum(case when is_active then 1 else 0 end) {{ trailing_window(days) }} as active_{{ days }},
        {% endfor -%}
        avg(case when is_active then 1.0 else 0.0 end) {{ trailing_window(20) }} as active_share_20,
        sum(net_pnl) {{ trailing_window() }} as cumulative_pnl,
        max(case when is_large_loss then trading_day_number end) {{ trailing_window() }}
            as last_large_loss_day_number
    from days
),

-- The peak starts at zero: a trader who has only lost is in drawdown from the first day.
peaks as (
    select
        *,
        case when prior_days_60 >= {{ var('feature_min_history_days', 10) }} then prior_vol_60 end as vol,
        greatest(max(cumulative_pnl) {{ trailing_window() }}, 0) as peak_pnl,
        trading_day_number - tenure_days + 1 as first_day_number,
        -- Population skewness from raw moments: (E[x³] − 3μE[x²] + 2μ³) / σ³.
        greatest(moment2_60 - mean_60 * mean_60, 0) as variance_60,
        moment3_60 - 3 * mean_60 * moment2_60 + 2 * mean_60 * mean_60 * mean_60 as third_central_moment_60
    from windowed
),

peak_days as (
    select
        *,
        max(case when cumulative_pnl >= peak_pnl then trading_day_number end) {{ trailing_window() }}
            as last_peak_day_number
    from peaks
),

final as (
    select
        trader_id,
        trade_date as as_of_date,
        cast(net_pnl as double) as net_pnl_1d,
        {% for days in [3, 5, 20, 60] -%}
            cast(sum_{{ days }} as double) as net_pnl_sum_{{ days }}d,
        {% endfor -%}
        {% for days in [5, 20, 60] -%}
            cast(mean_{{ days }} as double) as net_pnl_mean_{{ days }}d,
        {% endfor -%}
        {% for days in [5, 20, 60] -%}
            cast(std_{{ days }} as double) as net_pnl_std_{{ days }}d,
        {% endfor -%}
        cast(net_pnl / nullif(vol, 0) as double) as net_pnl_vol_scaled,
        cast((mean_5 - mean_20) / nullif(vol, 0) as double) as pnl_momentum_5d_20d,
        cast(cumulative_pnl - peak_pnl as double) as drawdown_usd,
        cast((cumulative_pnl - peak_pnl) / nullif(vol, 0) as double) as drawdown_vol_units,
        -- Before any peak above zero, the zero peak stood just before the first day.
        cast(trading_day_number - coalesce(last_peak_day_number, first_day_number - 1) as double)
            as days_since_pnl_peak,
        cast(trading_day_number - last_large_loss_day_number as double) as days_since_large_loss,
        case
            when tenure_days >= {{ var('feature_min_history_days', 10) }}
                then cast(third_central_moment_60 / nullif(power(variance_60, 1.5), 0) as double)
        end as net_pnl_skew_60d,
        cast(losses_20 as double) / nullif(active_20, 0) as loss_day_share_20d,
        cast(losses_60 as double) / nullif(active_60, 0) as loss_day_share_60d,
        cast(worst_60 / nullif(vol, 0) as double) as worst_day_60d_vol_units,
        cast(active_share_20 as double) as active_day_share_20d,
        cast(tenure_days as double) as tenure_days
    from peak_days
)

select * from final
