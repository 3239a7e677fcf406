-- How the trader trades, from the day-level activity in fct_trader_days: today against the
-- trader's own recent norm, the intraday mix, streaks, and whether size grows after losses.
with

trader_days as (
    select * from {{ ref('fct_trader_days') }}
),

-- The norm is the 20 spine rows before today, so today's burst does not raise its own bar.
-- The previous active day's outcome marks post-loss and post-win days.
sequenced as (
    select
        *,
        {% for measure in ['fills_count', 'orders_count', 'shares_traded', 'notional_traded'] -%}
            avg(cast({{ measure }} as double)) {{ trailing_window(20, exclude_current=true) }}
                as norm_{{ measure }},
        {% endfor -%}
        sum(case when is_active then 1 else 0 end) {{ trailing_window() }} as active_day_number,
        lag(case when is_active then net_pnl end) over (
            partition by trader_id, is_active order by trade_date
        ) as previous_active_net_pnl
    from trader_days
),

streak_marks as (
    select
        *,
        max(case when is_active and net_pnl >= 0 then active_day_number end) {{ trailing_window() }}
            as last_non_loss_day,
        max(case when is_active and net_pnl <= 0 then active_day_number end) {{ trailing_window() }}
            as last_non_win_day,
        case when is_active and previous_active_net_pnl < 0 then notional_traded end as post_loss_notional,
        case when is_active and previous_active_net_pnl > 0 then notional_traded end as post_win_notional,
        case when is_active and previous_active_net_pnl < 0 then fills_count end as post_loss_fills,
        case when is_active and previous_active_net_pnl > 0 then fills_count end as post_win_fills
    from sequenced
),

windowed as (
    select
        *,
        avg(post_loss_notional) {{ trailing_window(60) }} as post_loss_notional_mean,
        avg(post_win_notional) {{ trailing_window(60) }} as post_win_notional_mean,
        avg(cast(post_loss_fills as double)) {{ trailing_window(60) }} as post_loss_fills_mean,
        avg(cast(post_win_fills as double)) {{ trailing_window(60) }} as post_win_fills_mean,
        sum(total_fees) {{ trailing_window(20) }} as fees_20,
        sum(abs(gross_pnl)) {{ trailing_window(20) }} as abs_gross_20,
        sum(ecn_rebates) {{ trailing_window(20) }} as rebates_20,
        sum(total_fees + ecn_rebates) {{ trailing_window(20) }} as fees_before_rebates_20
    from streak_marks
),

final as (
    select
        trader_id,
        trade_date as as_of_date,
        {% for measure in ['fills_count', 'orders_count', 'shares_traded', 'notional_traded'] -%}
            cast({{ measure }} / nullif(norm_{{ measure }}, 0) as double) as {{ measure }}_vs_norm_20d,
        {% endfor -%}
        cast(opening_hour_fills as double) / nullif(fills_count, 0) as opening_hour_fill_share,
        cast(afternoon_fills as double) / nullif(fills_count, 0) as afternoon_fill_share,
        cast(closing_half_hour_fills as double) / nullif(fills_count, 0) as closing_half_hour_fill_share,
        cast(short_sale_fills as double) / nullif(fills_count, 0) as short_sale_fill_share,
        -- Streaks run over active days: an idle day neither breaks nor extends them.
        cast(active_day_number - coalesce(last_non_loss_day, 0) as double) as losing_day_streak,
        cast(active_day_number - coalesce(last_non_win_day, 0) as double) as winning_day_streak,
        cast(post_loss_notional_mean / nullif(post_win_notional_mean, 0) as double)
            as post_loss_size_ratio_60d,
        cast(post_loss_fills_mean / nullif(post_win_fills_mean, 0) as double) as post_loss_pace_ratio_60d,
        cast(fees_20 / nullif(abs_gross_20, 0) as double) as fees_to_abs_gross_20d,
        cast(rebates_20 / nullif(fees_before_rebates_20, 0) as double) as rebates_to_fees_20d
    from windowed
)

select * from final
