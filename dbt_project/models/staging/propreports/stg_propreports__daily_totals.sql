with

source as (
    {{ known_version(source('propreports', 'totals_by_date'), ['account_name', 'trade_date']) }}
),

final as (
    select
        account_name,
        trade_date,
        symbol,
        orders as orders_count,
        fills as fills_count,
        qty as quantity,
        gross as gross_pnl,
        net as net_pnl,
        gross - net as total_fees,
        {% for raw_name, staged_name in fee_columns() -%}
            coalesce({{ raw_name }}, 0) as {{ staged_name }},
        {% endfor -%}
        coalesce(unrealized_delta, 0) as unrealized_delta,
        coalesce(total_delta, net + coalesce(unrealized_delta, 0)) as total_delta,
        unrealized,
        _load_id,
        _load_seq,
        _loaded_at,
        _source_file
    from source
)

select * from final
