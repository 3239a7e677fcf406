-- The account-days whose fills do not reconcile with PropReports' daily totals (counts exact,
-- money within the report's cent rounding), with the trader the account belongs to.
with

reconciled as (
    select * from {{ ref('int_fills_reconciled_to_account_days') }}
),

accounts as (
    select account_name, trader_id from {{ ref('int_accounts_mapped_to_traders') }}
),

final as (
    select
        r.account_name,
        a.trader_id,
        r.trade_date,
        r.reconciliation_status,
        cast(r.fills_count as bigint) as fills_count,
        cast(r.totals_fills_count as bigint) as totals_fills_count,
        cast(r.shares_traded as double) as shares_traded,
        cast(r.totals_quantity as double) as totals_quantity,
        cast(r.fees_difference as double) as fees_difference,
        cast(r.gross_difference as double) as gross_difference
    from reconciled as r
    left join accounts as a on r.account_name = a.account_name
    where r.reconciliation_status <> 'ok'
)

select * from final
