-- When each trader trades: fills per bucket of the session, over every day in the warehouse.
-- Buckets start at the open (09:30 US/Eastern); a fill before the open falls in a negative one.
with

fills as (
    select * from {{ ref('fct_fills') }}
),

bucketed as (
    select
        trader_id,
        trade_date,
        quantity,
        notional,
        cast(
            floor(minutes_after_open / {{ var('time_of_day_bucket_minutes') }})
            * {{ var('time_of_day_bucket_minutes') }} as integer
        ) as bucket_start_minute
    from fills
),

final as (
    select
        trader_id,
        bucket_start_minute,
        strftime(
            timestamp '2000-01-03 09:30' + to_minutes(bucket_start_minute), '%H:%M'
        ) as bucket_label,
        count(*) as fills_count,
        cast(sum(quantity) as double) as shares_traded,
        cast(sum(notional) as double) as notional_traded,
        count(distinct trade_date) as active_days
    from bucketed
    group by trader_id, bucket_start_minute
)

select * from final
