-- Every input line ingest quarantined instead of loading, with its file and why: the viewer's
-- list of what to fix in the exports.
with

quarantine as (
    select * from {{ ref('stg_propreports__quarantine') }}
),

final as (
    select
        _load_id as load_id,
        _source_file as source_file,
        file_kind,
        line_number,
        raw_text,
        reason,
        _loaded_at as loaded_at
    from quarantine
)

select * from final
