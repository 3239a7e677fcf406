with

source as (
    select * from {{ source('propreports', 'load_log') }}
),

final as (
    select
        load_id,
        load_seq,
        run_id,
        source_file,
        file_kind,
        account_name,
        file_sha256,
        file_bytes,
        file_modified_at,
        loaded_at,
        rows_read,
        rows_loaded,
        rows_unchanged,
        rows_quarantined,
        rows_skipped,
        status,
        message
    from source
)

select * from final
