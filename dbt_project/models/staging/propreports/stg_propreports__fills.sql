with

source as (
    {{ known_version(source('propreports', 'fills'), ['account_name', 'trade_date']) }}
),

renamed as (
    select
        -- The natural key ingest dedupes fills on across files (riskman/ingest/formats.py, FILLS).
        coalesce(propreports_id, account_name || ':' || fill_id) as fill_key,
        fill_id,
        propreports_id,
        order_id,
        account_name,
        trade_time as executed_at_eastern,
        trade_date,
        side,
        case when side in ('B', 'C') then 1 else -1 end as side_sign,
        qty as quantity,
        symbol,
        price,
        route,
        liq as liquidity_code,
        {% for raw_name, staged_name in fee_columns() -%}
            coalesce({{ raw_name }}, 0) as {{ staged_name }},
        {% endfor -%}
        currency,
        isin,
        cusip,
        status,
        extra_columns,
        _load_id,
        _load_seq,
        _loaded_at,
        _source_file,
        _source_line
    from source
),

final as (
    select
        *,
        {% for _, staged_name in fee_columns() -%}
            {{ staged_name }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as total_fees
    from renamed
)

select * from final
