-- PropReports' own realized P&L per account-day (the truth for P&L; docs/architecture.md §3).
with

totals as (
    select * from {{ ref('stg_propreports__daily_totals') }}
),

final as (
    select
        account_name,
        trade_date,
        sum(gross_pnl) as gross_pnl,
        sum(net_pnl) as net_pnl,
        sum(total_fees) as total_fees,
        sum(unrealized_delta) as unrealized_delta,
        sum(total_delta) as total_delta,
        sum(orders_count) as orders_count,
        sum(fills_count) as fills_count,
        sum(quantity) as shares_traded,
        count(*) as symbols_traded
    from totals
    group by account_name, trade_date
)

select * from final
