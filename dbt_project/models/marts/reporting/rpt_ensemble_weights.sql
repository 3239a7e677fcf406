-- How the backtest run that finished last weighted its ensemble members, fold by fold.
with

weights as (
    select * from {{ ref('stg_ml__ensemble_weights') }}
),

latest_run as (
    select *
    from {{ ref('int_ml_runs_filtered_to_latest_per_kind') }}
    where run_kind = 'backtest'
),

final as (
    select
        w.run_id,
        w.fold_id,
        w.trained_until_date,
        w.test_start_date,
        w.target,
        w.member,
        w.weight,
        w.weighting_log_loss,
        w.validation_log_loss,
        w.validation_auc,
        w.calibration,
        w.mean_correlation,
        w.mean_disagreement
    from weights as w
    inner join latest_run as r on w.run_id = r.run_id
)

select * from final
