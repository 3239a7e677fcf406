with

source as (
    select * from {{ source('ml', 'blocked_predictions') }}
),

final as (
    select
        run_id,
        trader_id,
        as_of_date,
        check_run_id,
        reason
    from source
)

select * from final
