-- The VIX each trader-day traded in, as of the close of as_of_date. The VIX series covers less
-- history than the S&P 500, so these features are null wherever it has no recent close.
with

vix as (
    select market_date as vix_date, close_price as vix_close
    from {{ ref('stg_market__daily_prices') }}
    where symbol = 'VIX'
),

-- The VIX against its own recent level: P&L thresholds set over the last months of trading
-- are breached more easily when volatility has risen since.
vix_relative as (
    select
        vix_date,
        case
            when
                count(*) over (order by vix_date rows between 119 preceding and current row)
                >= {{ var('market_percentile_min_days', 60) }}
                then
                    vix_close
                    / avg(vix_close) over (order by vix_date rows between 119 preceding and current row)
        end as vix_vs_mean
    from vix
),

vix_percentiles as (
    {{ trailing_percentile('vix', 'vix_close', 'vix_date', 252, var('market_percentile_min_days', 60)) }}
),

trader_days as (
    select trader_id, trade_date from {{ ref('fct_trader_days') }}
),

as_of_vix_days as (
    {{ latest_on_or_before('trader_days', 'trade_date', 'vix', 'vix_date',
                           var('market_data_max_staleness_days', 5)) }}
),

final as (
    select
        d.trader_id,
        d.trade_date as as_of_date,
        a.vix_date,
        cast(v.vix_close as double) as vix_close,
        cast(p.percentile as double) as vix_percentile_252d,
        cast(r.vix_vs_mean as double) as vix_vs_mean_120d
    from trader_days as d
    left join as_of_vix_days as a on d.trade_date = a.trade_date
    left join vix as v on a.vix_date = v.vix_date
    left join vix_percentiles as p on a.vix_date = p.vix_date
    left join vix_relative as r on a.vix_date = r.vix_date
)

select * from final
