-- The morning's predictions: the rows of the live run that finished last, with the trader's
-- name and desk. A view, so a new `riskman predict` shows here without another dbt run.
with

predictions as (
    select * from {{ ref('stg_ml__predictions') }}
),

traders as (
    select trader_id, trader_name, desk from {{ ref('dim_traders') }}
),

latest_run as (
    select *
    from {{ ref('int_ml_runs_filtered_to_latest_per_kind') }}
    where run_kind = 'live'
),

final as (
    select
        p.run_id,
        p.run_kind,
        p.model_version,
        p.trader_id,
        t.trader_name,
        t.desk,
        p.account_id,
        p.as_of_date,
        p.target_date,
        p.p_loss,
        p.p_large_loss,
        p.var_95_usd,
        p.risk_score,
        p.recommended_size,
        p.top_reasons,
        p.created_at
    from predictions as p
    inner join latest_run as r on p.run_id = r.run_id
    left join traders as t on p.trader_id = t.trader_id
)

select * from final
