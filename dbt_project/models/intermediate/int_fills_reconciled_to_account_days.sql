-- Fills against PropReports' own totals, per account-day. Fees must agree to the cent. Realized
-- gross is checked on the symbols that were flat at both ends of the day (there the day's cash
-- flow is the FIFO realized P&L); symbols carried overnight are counted, not compared.
with

fills_by_symbol_day as (
    select
        account_name, trade_date, symbol, fills_count, net_quantity, cash_flow, fills_fees as fees
    from {{ ref('int_fills_aggregated_to_account_symbol_days') }}
),

totals as (
    select * from {{ ref('stg_propreports__daily_totals') }}
),

positions as (
    select
        *,
        {{ opening_position() }} as opening_position
    from fills_by_symbol_day
),

symbol_days as (
    select
        coalesce(p.account_name, t.account_name) as account_name,
        coalesce(p.trade_date, t.trade_date) as trade_date,
        p.fills_count,
        p.cash_flow,
        p.fees as fills_fees,
        t.gross_pnl as totals_gross,
        t.total_fees as totals_fees,
        p.account_name is not null as has_fills,
        t.account_name is not null as has_totals,
        coalesce(p.opening_position = 0 and p.opening_position + p.net_quantity = 0, false) as is_flat_day
    from positions as p
    full outer join totals as t
        on p.account_name = t.account_name and p.trade_date = t.trade_date and p.symbol = t.symbol
),

account_days as (
    select
        account_name,
        trade_date,
        coalesce(sum(fills_count), 0) as fills_count,
        bool_or(has_fills) as has_fills,
        bool_or(has_totals) as has_totals,
        coalesce(sum(fills_fees), 0) as fills_fees,
        coalesce(sum(totals_fees), 0) as totals_fees,
        coalesce(sum(case when is_flat_day then cash_flow end), 0) as fills_gross_flat_symbols,
        coalesce(sum(case when is_flat_day then totals_gross end), 0) as totals_gross_flat_symbols,
        sum(case when has_fills and not is_flat_day then 1 else 0 end) as carried_symbols
    from symbol_days
    group by account_name, trade_date
),

final as (
    select
        *,
        fills_fees - totals_fees as fees_difference,
        fills_gross_flat_symbols - totals_gross_flat_symbols as gross_difference,
        case
            when not has_totals then 'missing_totals'
            when not has_fills then 'missing_fills'
            when
                abs(fills_fees - totals_fees) > {{ var('reconciliation_tolerance_usd') }}
                then 'fees_mismatch'
            when
                abs(fills_gross_flat_symbols - totals_gross_flat_symbols)
                > {{ var('reconciliation_tolerance_usd') }} then 'gross_mismatch'
            else 'ok'
        end as reconciliation_status
    from account_days
)

select * from final
