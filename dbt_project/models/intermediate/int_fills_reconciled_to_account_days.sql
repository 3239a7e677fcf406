-- Fills against PropReports' own totals, per account-day. Counts (fills, shares) must agree
-- exactly. Money is compared within the rounding of the report: PropReports rounds every cell to
-- the cent while fills carry fees to four decimals, so each rounded cell that enters a sum may be
-- off by half a cent. A row's fees (Gross - Net) carry the rounding of Gross and Net, and of each
-- non-zero fee cell should Net be derived from the rounded fee cells (which the exports do not
-- tell). Realized gross carries one cell per symbol flat at both ends of the day (there the day's
-- cash flow is the FIFO realized P&L); symbols carried overnight are counted, not compared.
with

fills_by_symbol_day as (
    select
        account_name, trade_date, symbol, fills_count, shares_traded, net_quantity, cash_flow,
        fills_fees as fees
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
        p.shares_traded,
        p.cash_flow,
        p.fees as fills_fees,
        t.fills_count as totals_fills_count,
        t.quantity as totals_quantity,
        t.gross_pnl as totals_gross,
        t.total_fees as totals_fees,
        {% for _, staged_name in fee_columns() -%}
            case when t.{{ staged_name }} <> 0 then 1 else 0 end +
        {%- endfor %} 2 as rounded_cells,
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
        sum(totals_fills_count) as totals_fills_count,
        coalesce(sum(shares_traded), 0) as shares_traded,
        sum(totals_quantity) as totals_quantity,
        bool_or(has_fills) as has_fills,
        bool_or(has_totals) as has_totals,
        coalesce(sum(fills_fees), 0) as fills_fees,
        coalesce(sum(totals_fees), 0) as totals_fees,
        coalesce(sum(case when is_flat_day then cash_flow end), 0) as fills_gross_flat_symbols,
        coalesce(sum(case when is_flat_day then totals_gross end), 0) as totals_gross_flat_symbols,
        sum(case when has_fills and not is_flat_day then 1 else 0 end) as carried_symbols,
        -- How far honest rounding can move each comparison: half a cent per rounded cell in it.
        {{ var('report_cell_rounding_usd') }}
        * sum(case when has_totals then rounded_cells else 0 end) as fees_tolerance,
        {{ var('report_cell_rounding_usd') }}
        * sum(case when has_totals and is_flat_day then 1 else 0 end) as gross_tolerance
    from symbol_days
    group by account_name, trade_date
),

differences as (
    select
        *,
        fills_fees - totals_fees as fees_difference,
        fills_gross_flat_symbols - totals_gross_flat_symbols as gross_difference
    from account_days
),

final as (
    select
        *,
        case
            when not has_totals then 'missing_totals'
            -- A totals row without fills is a position marked to market, unless it counts fills.
            when not has_fills and totals_fills_count > 0 then 'missing_fills'
            -- Counts are compared where the export has them (an old layout may not).
            when fills_count <> totals_fills_count then 'fills_count_mismatch'
            when shares_traded <> totals_quantity then 'quantity_mismatch'
            when abs(fees_difference) > fees_tolerance then 'fees_mismatch'
            when abs(gross_difference) > gross_tolerance then 'gross_mismatch'
            else 'ok'
        end as reconciliation_status
    from differences
)

select * from final
