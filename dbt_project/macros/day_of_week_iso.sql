{#- ISO day of week, Monday = 1 .. Sunday = 7. -#}
{% macro day_of_week_iso(date_expression) -%}
    {{ return(adapter.dispatch('day_of_week_iso')(date_expression)) }}
{%- endmacro %}

{% macro default__day_of_week_iso(date_expression) -%}
    extract(isodow from {{ date_expression }})
{%- endmacro %}

{% macro spark__day_of_week_iso(date_expression) -%}
    (dayofweek({{ date_expression }}) + 5) % 7 + 1
{%- endmacro %}
