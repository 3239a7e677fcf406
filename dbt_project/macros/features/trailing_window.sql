{#-
  The window clause of a point-in-time feature: the current row and the `rows - 1` rows before it
  in the trader's own day order (docs/architecture.md §4). `exclude_current=true` gives the `rows` rows
  before today instead (a "normal" to compare today against); `rows=none` runs from the first row.
  There is deliberately no way to look at later rows.
-#}
{% macro trailing_window(rows=none, exclude_current=false, partition_by='trader_id', order_by='trade_date') -%}
    over (
        partition by {{ partition_by }} order by {{ order_by }}
        rows between
        {%- if rows is none %} unbounded preceding
        {%- elif exclude_current %} {{ rows }} preceding
        {%- else %} {{ rows - 1 }} preceding
        {%- endif %}
        and {{ '1 preceding' if exclude_current else 'current row' }}
    )
{%- endmacro %}
