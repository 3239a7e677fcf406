-- The firm's trading calendar: the S&P 500's market days while market data covers them, any day
-- an account traded, and weekdays after the market data ends (so the spine never stops short).
with

activity as (
    select trade_date from {{ ref('int_totals_aggregated_to_account_days') }}
    union
    select trade_date from {{ ref('int_fills_aggregated_to_account_days') }}
),

market as (
    select market_date from {{ ref('stg_market__daily_prices') }}
    where symbol = '{{ var("calendar_market_symbol") }}'
),

bounds as (
    select
        (select min(trade_date) from activity) as first_date,
        (select max(trade_date) from activity) as last_date,
        (select max(market_date) from market) as last_market_date
),

calendar_days as (
    select cast({{ dbt.dateadd('day', 'series.n', 'bounds.first_date') }} as date) as calendar_date
    from ({{ integer_series(4) }}) as series
    cross join bounds
    where series.n <= {{ dbt.datediff('bounds.first_date', 'bounds.last_date', 'day') }}
),

final as (
    select
        d.calendar_date as trade_date,
        row_number() over (order by d.calendar_date) as trading_day_number
    from calendar_days as d
    cross join bounds as b
    where
        d.calendar_date in (select trade_date from activity)
        or d.calendar_date in (select market_date from market)
        or (
            (b.last_market_date is null or d.calendar_date > b.last_market_date)
            and {{ day_of_week_iso('d.calendar_date') }} <= 5
        )
)

select * from final
