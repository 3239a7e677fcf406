with

source as (
    select * from {{ source('quality', 'check_results') }}
),

final as (
    select
        run_id,
        checked_at,
        suite,
        table_name,
        expectation_type,
        column_name,
        severity,
        success,
        unexpected_count,
        observed_value,
        sample,
        message
    from source
)

select * from final
