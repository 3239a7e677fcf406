-- Every file load, with what became of its rows: the viewer lists rejected and partly
-- quarantined files.
with

loads as (
    select * from {{ ref('stg_propreports__load_log') }}
),

final as (
    select
        load_id,
        source_file,
        file_kind,
        account_name,
        loaded_at,
        rows_read,
        rows_loaded,
        rows_unchanged,
        rows_quarantined,
        status,
        message
    from loads
)

select * from final
