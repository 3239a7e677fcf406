with

source as (
    select * from {{ source('ml', 'prediction_inputs') }}
),

final as (
    select
        run_id,
        trader_id,
        target_date,
        as_of_date,
        model_version,
        feature_hash,
        inputs as inputs_json,
        load_ids as load_ids_json
    from source
)

select * from final
