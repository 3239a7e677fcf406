-- The S&P 500 each trader-day traded in: volatility, trend and a volatility regime, as of the
-- close of as_of_date (that day's close is known at that close).
with

spx as (
    select
        symbol,
        market_date,
        close_price,
        ln(close_price / lag(close_price) over (order by market_date)) as log_return,
        close_price / lag(close_price) over (order by market_date) - 1 as return_1d,
        close_price / lag(close_price, 20) over (order by market_date) - 1 as return_20d
    from {{ ref('stg_market__daily_prices') }}
    where symbol = 'SPX'
),

-- Windows count market days; a statistic needs its full window, so the series start is null.
market_days as (
    select
        market_date,
        return_1d,
        return_20d,
        {% for days in [5, 20, 60] -%}
            {%- set window = trailing_window(days, partition_by='symbol', order_by='market_date') %}
            case
                when count(log_return) {{ window }} = {{ days }}
                    then stddev_samp(log_return) {{ window }} * sqrt(252)
            end as realized_vol_{{ days }},
        {% endfor -%}
        {% for days in [50, 200] -%}
            {%- set window = trailing_window(days, partition_by='symbol', order_by='market_date') %}
            case
                when count(*) {{ window }} = {{ days }}
                    then close_price / avg(close_price) {{ window }} - 1
            end as close_vs_ma_{{ days }}{% if not loop.last %},{% endif %}
        {% endfor %}
    from spx
),

-- The regime: today's 20-day vol against its own trailing year (252 market days).
vol_percentiles as (
    {{ trailing_percentile('market_days', 'realized_vol_20', 'market_date', 252,
                           var('market_percentile_min_days', 60)) }}
),

trader_days as (
    select trader_id, trade_date from {{ ref('fct_trader_days') }}
),

as_of_market_days as (
    {{ latest_on_or_before('trader_days', 'trade_date', 'market_days', 'market_date',
                           var('market_data_max_staleness_days', 5)) }}
),

final as (
    select
        d.trader_id,
        d.trade_date as as_of_date,
        a.market_date,
        cast(m.return_1d as double) as spx_return_1d,
        cast(m.return_20d as double) as spx_return_20d,
        cast(m.realized_vol_5 as double) as spx_realized_vol_5d,
        cast(m.realized_vol_20 as double) as spx_realized_vol_20d,
        cast(m.realized_vol_60 as double) as spx_realized_vol_60d,
        cast(m.close_vs_ma_50 as double) as spx_close_vs_ma_50d,
        cast(m.close_vs_ma_200 as double) as spx_close_vs_ma_200d,
        cast(p.percentile as double) as spx_realized_vol_20d_percentile_252d,
        -- Regime cut-offs: the bottom and the top quarter of the trailing year.
        cast(case
            when p.percentile <= 0.25 then -1
            when p.percentile >= 0.75 then 1
            when p.percentile is not null then 0
        end as double) as vol_regime_level,
        case
            when p.percentile <= 0.25 then 'low'
            when p.percentile >= 0.75 then 'high'
            when p.percentile is not null then 'normal'
        end as vol_regime
    from trader_days as d
    left join as_of_market_days as a on d.trade_date = a.trade_date
    left join market_days as m on a.market_date = m.market_date
    left join vol_percentiles as p on a.market_date = p.market_date
)

select * from final
