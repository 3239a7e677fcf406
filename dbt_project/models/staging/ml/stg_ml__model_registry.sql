with

source as (
    select * from {{ source('ml', 'model_registry') }}
),

final as (
    select
        model_version,
        target,
        trained_from as trained_from_date,
        trained_until as trained_until_date,
        feature_set_hash,
        params as params_json,
        metrics as metrics_json,
        code_version,
        artifact_path,
        status,
        created_at,
        promoted_at
    from source
)

select * from final
