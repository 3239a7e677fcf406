with

source as (
    {{ known_version(source('propreports', 'summary_by_date'), ['account_name', 'trade_date']) }}
),

final as (
    select
        account_name,
        trade_date,
        type as account_type,
        orders as orders_count,
        fills as fills_count,
        qty as quantity,
        gross as gross_pnl,
        trade_fees,
        net as net_pnl,
        coalesce(fee_software_md, 0) as software_md_fee,
        coalesce(fee_vat, 0) as vat_fee,
        coalesce(fee_daily_interest, 0) as daily_interest_fee,
        adj_fees as adjusted_fees,
        adj_net as adjusted_net_pnl,
        coalesce(unrealized_delta, 0) as unrealized_delta,
        total_delta,
        coalesce(transfer_deposit, 0) as deposit_transfer,
        coalesce(transfers, 0) as transfers,
        cash,
        unrealized,
        end_balance,
        _load_id,
        _load_seq,
        _loaded_at,
        _source_file
    from source
)

select * from final
