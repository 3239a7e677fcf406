with

source as (
    select * from {{ source('ml', 'alerts') }}
),

final as (
    select
        run_id,
        as_of_date,
        alert_key,
        rule,
        severity,
        subject,
        condition,
        status,
        message,
        details as details_json,
        delivered_to
    from source
)

select * from final
