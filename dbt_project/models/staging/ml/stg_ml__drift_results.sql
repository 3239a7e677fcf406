with

source as (
    select * from {{ source('ml', 'drift_results') }}
),

final as (
    select
        run_id,
        scope,
        trader_id,
        column_name,
        column_kind,
        n_reference as reference_count,
        n_current as current_count,
        effective_reference,
        effective_current,
        psi,
        ks,
        p_value,
        attainable_p_value,
        counted,
        flagged,
        reference_median,
        current_median
    from source
)

select * from final
