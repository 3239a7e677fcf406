with

source as (
    {{ known_version(source('propreports', 'fills'), ['account_name', 'trade_date']) }}
),

renamed as (
    select
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
        coalesce(comm, 0) as commission,
        coalesce(ecn_fee, 0) as ecn_fee,
        coalesce(sec, 0) as sec_fee,
        coalesce(orf, 0) as orf_fee,
        coalesce(cat, 0) as cat_fee,
        coalesce(taf, 0) as taf_fee,
        coalesce(ftt, 0) as ftt_fee,
        coalesce(nscc, 0) as nscc_fee,
        coalesce(acc, 0) as acc_fee,
        coalesce(clr, 0) as clearing_fee,
        coalesce(misc, 0) as misc_fee,
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
        commission + ecn_fee + sec_fee + orf_fee + cat_fee + taf_fee + ftt_fee
        + nscc_fee + acc_fee + clearing_fee + misc_fee as total_fees
    from renamed
)

select * from final
