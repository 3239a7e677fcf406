-- Every registered model. is_champion marks the model `riskman predict` uses: the champion
-- promoted last (ml.registry.champion), so at most one row even if two said champion.
with

registry as (
    select * from {{ ref('stg_ml__model_registry') }}
),

champion as (
    select model_version
    from registry
    where status = 'champion'
    order by promoted_at desc nulls last, model_version desc
    limit 1
),

final as (
    select
        r.model_version,
        r.target,
        r.status,
        c.model_version is not null as is_champion,
        r.trained_from_date,
        r.trained_until_date,
        r.feature_set_hash,
        r.params_json,
        r.metrics_json,
        r.code_version,
        r.artifact_path,
        r.created_at,
        r.promoted_at
    from registry as r
    left join champion as c on r.model_version = c.model_version
)

select * from final
