-- Intraday behaviour from round trips and fills: holding times, sizing after a losing trip,
-- symbol concentration, and trading late after a red morning. Daily measures sit on the day the
-- trips closed; the trailing versions pool the last N spine rows up to as_of_date.
with

trader_days as (
    select trader_id, trade_date, is_active from {{ ref('fct_trader_days') }}
),

-- A trip follows the trader's previous trip of the day only if it opened after that one closed.
trips as (
    select
        *,
        lag(is_win) over (
            partition by trader_id, trade_date order by closed_at, opening_fill_key
        ) as previous_is_win,
        lag(closed_at) over (
            partition by trader_id, trade_date order by closed_at, opening_fill_key
        ) as previous_closed_at
    from {{ ref('fct_round_trips') }}
),

trip_days as (
    select
        trader_id,
        trade_date,
        count(*) as round_trips,
        avg(hold_minutes) as mean_hold_minutes,
        {{ aggregate_median('hold_minutes') }} as median_hold_minutes,
        avg(case when is_win then 1.0 else 0.0 end) as win_share,
        sum(case when opened_at >= previous_closed_at and not previous_is_win then entry_notional end)
            as after_loss_notional,
        sum(case when opened_at >= previous_closed_at and not previous_is_win then 1 end) as after_loss_trips,
        sum(case when opened_at >= previous_closed_at and previous_is_win then entry_notional end)
            as after_win_notional,
        sum(case when opened_at >= previous_closed_at and previous_is_win then 1 end) as after_win_trips,
        sum(case when extract(hour from closed_at) < 12 then net_pnl else 0 end) as morning_pnl
    from trips
    group by trader_id, trade_date
),

symbol_days as (
    select
        trader_id,
        trade_date,
        symbol,
        sum(notional) as notional,
        count(*) as fills,
        sum(case when minutes_after_open >= 270 then 1 else 0 end) as fills_after_14
    from {{ ref('fct_fills') }}
    group by trader_id, trade_date, symbol
),

-- Herfindahl of notional across symbols: 1 = one symbol, 1/n = n symbols traded equally.
fill_days as (
    select
        trader_id,
        trade_date,
        sum(notional * notional) / nullif(sum(notional) * sum(notional), 0) as notional_herfindahl,
        cast(sum(fills_after_14) as double) / nullif(sum(fills), 0) as late_fill_share
    from symbol_days
    group by trader_id, trade_date
),

days as (
    select
        d.trader_id,
        d.trade_date,
        t.round_trips, t.mean_hold_minutes, t.median_hold_minutes, t.win_share,
        t.after_loss_notional, t.after_loss_trips, t.after_win_notional, t.after_win_trips,
        f.notional_herfindahl,
        f.late_fill_share,
        case when d.is_active then coalesce(t.morning_pnl, 0) < 0 end as is_red_morning
    from trader_days as d
    left join trip_days as t on d.trader_id = t.trader_id and d.trade_date = t.trade_date
    left join fill_days as f on d.trader_id = f.trader_id and d.trade_date = f.trade_date
),

windowed as (
    select
        *,
        sum(after_loss_notional) {{ trailing_window(20) }} as after_loss_notional_20,
        sum(after_loss_trips) {{ trailing_window(20) }} as after_loss_trips_20,
        sum(after_win_notional) {{ trailing_window(20) }} as after_win_notional_20,
        sum(after_win_trips) {{ trailing_window(20) }} as after_win_trips_20,
        avg(case when is_red_morning then late_fill_share end) {{ trailing_window(60) }}
            as red_morning_late_share_60,
        avg(case when not is_red_morning then late_fill_share end) {{ trailing_window(60) }}
            as other_late_share_60
    from days
),

final as (
    select
        trader_id,
        trade_date as as_of_date,
        cast(coalesce(round_trips, 0) as double) as round_trips_count,
        cast(mean_hold_minutes as double) as round_trip_hold_minutes_mean,
        cast(median_hold_minutes as double) as round_trip_hold_minutes_median,
        cast(win_share as double) as round_trip_win_share,
        cast(
            (after_loss_notional / after_loss_trips)
            / nullif(after_win_notional / after_win_trips, 0) as double
        ) as after_loss_trip_size_ratio,
        cast(
            (after_loss_notional_20 / nullif(after_loss_trips_20, 0))
            / nullif(after_win_notional_20 / nullif(after_win_trips_20, 0), 0) as double
        ) as after_loss_trip_size_ratio_20d,
        cast(notional_herfindahl as double) as symbol_notional_herfindahl,
        cast(late_fill_share as double) as late_fill_share,
        cast(case when is_red_morning then 1 when not is_red_morning then 0 end as double) as red_morning,
        cast(red_morning_late_share_60 / nullif(other_late_share_60, 0) as double)
            as red_morning_late_share_ratio_60d
    from windowed
)

select * from final
