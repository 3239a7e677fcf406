with

source as (
    select * from {{ source('propreports', 'quarantine') }}
),

final as (
    select
        _load_id,
        _source_file,
        file_kind,
        line_number,
        raw_text,
        reason,
        _loaded_at
    from source
)

select * from final
