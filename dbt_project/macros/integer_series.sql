{#-
  Integers 0 .. 10^digits - 1 as column `n`, portable (no generate_series): a cross join of digits.
  Four digits cover 27 years of calendar days.
-#}
{% macro integer_series(digits=4) -%}
    select
        {% for position in range(digits) -%}
            d{{ position }}.digit * {{ 10 ** position }}{% if not loop.last %} + {% endif %}
        {%- endfor %} as n
    from
        {% for position in range(digits) -%}
            (
                select 0 as digit union all select 1 union all select 2 union all select 3
                union all select 4 union all select 5 union all select 6 union all select 7
                union all select 8 union all select 9
            ) as d{{ position }}{% if not loop.last %} cross join {% endif %}
        {%- endfor %}
{%- endmacro %}
