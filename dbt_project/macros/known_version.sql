{#-
  Rows of the newest version of each block (e.g. one account-day) that was loaded at or before
  var('known_as_of'). Raw is append-only: a restated day is a new block with a higher _load_seq.
-#}
{% macro known_version(relation, block_key) -%}
    select *
    from {{ relation }} as loaded
    where _load_seq = (
        select max(later._load_seq)
        from {{ relation }} as later
        where
            {% for column in block_key -%}
                later.{{ column }} is not distinct from loaded.{{ column }}
                {%- if not loop.last %} and {% endif %}
            {% endfor %}
            {%- if var('known_as_of') %}
                and later._loaded_at <= cast('{{ var("known_as_of") }}' as {{ dbt.type_timestamp() }})
            {%- endif %}
    )
{%- endmacro %}
