-- The out-of-sample predictions of the backtest run that finished last, next to what happened:
-- the label of (trader_id, as_of_date) is the outcome on its target_date. No label means the
-- trader did not trade that day, so the realised columns are null and has_outcome is false.
with

predictions as (
    select * from {{ ref('stg_ml__predictions') }}
),

outcomes as (
    select * from {{ ref('lbl_next_day_outcomes') }}
),

latest_run as (
    select *
    from {{ ref('int_ml_runs_filtered_to_latest_per_kind') }}
    where run_kind = 'backtest'
),

final as (
    select
        p.run_id,
        p.run_kind,
        p.model_version,
        p.trader_id,
        p.account_id,
        p.as_of_date,
        p.target_date,
        p.p_loss,
        p.p_large_loss,
        p.var_95_usd,
        p.risk_score,
        p.recommended_size,
        p.top_reasons,
        p.created_at,
        o.trader_id is not null as has_outcome,
        o.net_pnl as realised_net_pnl,
        o.is_loss as realised_is_loss,
        o.is_large_loss as realised_is_large_loss
    from predictions as p
    inner join latest_run as r on p.run_id = r.run_id
    left join outcomes as o
        on p.trader_id = o.trader_id and p.as_of_date = o.as_of_date
)

select * from final
