{#- Minutes between the US equity open (09:30 US/Eastern) and a wall-clock Eastern timestamp. -#}
{% macro minutes_after_open(timestamp_column) -%}
    (extract(hour from {{ timestamp_column }}) * 60 + extract(minute from {{ timestamp_column }}) - 570)
{%- endmacro %}
