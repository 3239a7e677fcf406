with

source as (
    {{ known_version(source('market', 'market_daily'), ['symbol', 'market_date']) }}
),

final as (
    select
        symbol,
        market_date,
        cast(open as double) as open_price,
        cast(high as double) as high_price,
        cast(low as double) as low_price,
        cast(close as double) as close_price,
        cast(adj_close as double) as adj_close_price,
        volume,
        _loaded_at
    from source
)

select * from final
