-- Every recorded decision or override beside the live prediction it acts on (same run, trader and
-- target_date). A left join: a decision taken without a prediction (none was made, or it was
-- blocked) is part of the audit trail too.
with

overrides as (
    select * from {{ ref('stg_ml__overrides') }}
),

live_predictions as (
    select * from {{ ref('stg_ml__predictions') }}
    where run_kind = 'live'
),

final as (
    select
        o.override_id,
        o.recorded_at,
        o.recorded_by,
        o.trader_id,
        o.target_date,
        o.prediction_run_id,
        o.model_version,
        o.action,
        o.size,
        o.reason,
        p.run_id is not null as has_prediction,
        p.as_of_date as prediction_as_of_date,
        p.p_loss,
        p.p_large_loss,
        p.risk_score,
        p.recommended_size
    from overrides as o
    left join live_predictions as p
        on o.prediction_run_id = p.run_id and o.trader_id = p.trader_id and o.target_date = p.target_date
)

select * from final
