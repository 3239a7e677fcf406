{{
    config(
        materialized='incremental',
        incremental_strategy='round_trip_tails',
        on_schema_change='fail',
    )
}}
-- Fills grouped into round trips: an account's position in a symbol going from flat to flat.
-- Incremental by account tail (macros/round_trip_reprocessing.sql): trips may span days.
with

reprocess as (
    {% if is_incremental() %}
        {{ round_trip_reprocess_from(ref('fct_fills'), this) }}
    {% else %}
        select account_name, min(trade_date) as reprocess_from
        from {{ ref('fct_fills') }}
        group by account_name
    {% endif %}
),

fills as (
    select f.*
    from {{ ref('fct_fills') }} as f
    inner join reprocess as r
        on f.account_name = r.account_name and f.trade_date >= r.reprocess_from
),

cumulated as (
    select
        *,
        sum(signed_quantity) over (
            partition by account_name, symbol order by executed_at_eastern, fill_key
            rows between unbounded preceding and current row
        ) as position_after
    from fills
),

positioned as (
    select
        *,
        sign(position_after - signed_quantity) * sign(position_after) < 0 as is_flip
    from cumulated
),

-- A fill that takes the position through zero (long to short) closes one trip and opens the next.
numbered as (
    select
        *,
        sum(case when position_after = signed_quantity or is_flip then 1 else 0 end) over (
            partition by account_name, symbol order by executed_at_eastern, fill_key
            rows between unbounded preceding and current row
        ) as trip_number
    from positioned
),

-- Such a flip fill becomes two legs: leg 1 closes the old trip, leg 2 opens the new one.
leg_numbers as (
    select 1 as leg
    union all
    select 2 as leg
),

legs as (
    select
        n.*,
        n.trip_number - case when n.is_flip and l.leg = 1 then 1 else 0 end as leg_trip_number,
        case when l.leg = 2 then 0 else n.position_after - n.signed_quantity end as leg_position_before,
        case when n.is_flip and l.leg = 1 then 0 else n.position_after end as leg_position_after
    from numbered as n
    inner join leg_numbers as l
        on l.leg = 1 or n.is_flip
),

trips as (
    select
        max(case when leg_position_before = 0 then fill_key end) as opening_fill_key,
        max(trader_id) as trader_id,
        account_name,
        symbol,
        min(executed_at_eastern) as opened_at,
        max(executed_at_eastern) as closed_at,
        max(trade_date) as trade_date,
        count(*) as fills_count,
        max(abs(leg_position_after)) as max_abs_position,
        sum(case
            when abs(leg_position_after) > abs(leg_position_before)
                then abs(leg_position_after - leg_position_before) * price
            else 0
        end) as entry_notional,
        sum((leg_position_before - leg_position_after) * price) as gross_cash_pnl,
        -- Fees pro rata to the leg's share of the fill's quantity.
        sum(total_fees * abs(leg_position_after - leg_position_before) / quantity) as fees,
        sum(leg_position_after - leg_position_before) as residual_quantity,
        max(_load_seq) as _load_seq
    from legs
    group by account_name, symbol, leg_trip_number
),

final as (
    select
        opening_fill_key,
        trader_id,
        account_name,
        symbol,
        opened_at,
        closed_at,
        trade_date,
        cast({{ dbt.datediff('opened_at', 'closed_at', 'second') | trim }} / 60.0 as double) as hold_minutes,
        cast(fills_count as bigint) as fills_count,
        cast(max_abs_position as decimal(38, 8)) as max_abs_position,
        cast(entry_notional as double) as entry_notional,
        cast(gross_cash_pnl as double) as gross_cash_pnl,
        cast(fees as double) as fees,
        cast(gross_cash_pnl - fees as double) as net_pnl,
        gross_cash_pnl - fees > 0 as is_win,
        cast(_load_seq as bigint) as _load_seq
    from trips
    -- A trip still open at the end of the known fills is not a round trip yet.
    where residual_quantity = 0
)

select * from final
