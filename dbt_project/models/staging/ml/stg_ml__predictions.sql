with

source as (
    select * from {{ source('ml', 'predictions') }}
),

final as (
    select
        run_id,
        run_kind,
        model_version,
        trader_id,
        account_id,
        as_of_date,
        target_date,
        p_loss,
        p_large_loss,
        var_95_usd,
        risk_score,
        recommended_size,
        top_reasons,
        created_at
    from source
)

select * from final
