{#- The median of `value` within a group. Ordered-set aggregates differ by engine, hence the dispatch. -#}
{% macro aggregate_median(value) -%}
    {{ return(adapter.dispatch('aggregate_median')(value)) }}
{%- endmacro %}

{% macro default__aggregate_median(value) -%}
    percentile_cont(0.5) within group (order by {{ value }})
{%- endmacro %}

{% macro spark__aggregate_median(value) -%}
    percentile({{ value }}, 0.5)
{%- endmacro %}

{% macro trino__aggregate_median(value) -%}
    approx_percentile({{ value }}, 0.5)
{%- endmacro %}
