with

source as (
    select * from {{ source('ml', 'model_health') }}
),

final as (
    select
        run_id,
        as_of_date,
        model_version,
        target,
        window_start as window_start_date,
        window_end as window_end_date,
        rows as rows_count,
        labelled_rows as labelled_rows_count,
        realised_auc,
        realised_brier,
        calibration_error,
        estimated_auc,
        estimated_brier,
        reference_auc,
        degraded
    from source
)

select * from final
