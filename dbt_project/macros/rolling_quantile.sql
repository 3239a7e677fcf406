{#-
  The q-quantile (linear interpolation) of `value` over the current row and the `rows - 1`
  preceding rows of its partition. Window quantiles are engine-specific, hence the dispatch.
-#}
{% macro rolling_quantile(value, q, partition_by, order_by, rows) -%}
    {{ return(adapter.dispatch('rolling_quantile')(value, q, partition_by, order_by, rows)) }}
{%- endmacro %}

{% macro default__rolling_quantile(value, q, partition_by, order_by, rows) -%}
    quantile_cont({{ value }}, {{ q }}) over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between {{ rows - 1 }} preceding and current row
    )
{%- endmacro %}

{% macro spark__rolling_quantile(value, q, partition_by, order_by, rows) -%}
    percentile({{ value }}, {{ q }}) over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between {{ rows - 1 }} preceding and current row
    )
{%- endmacro %}
