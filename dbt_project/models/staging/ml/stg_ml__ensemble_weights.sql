with

source as (
    select * from {{ source('ml', 'ensemble_weights') }}
),

final as (
    select
        run_id,
        fold_id,
        trained_until as trained_until_date,
        test_start as test_start_date,
        target,
        member,
        weight,
        weighting_log_loss,
        validation_log_loss,
        validation_auc,
        calibration,
        mean_correlation,
        mean_disagreement
    from source
)

select * from final
