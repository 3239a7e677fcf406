{#-
  Share of the last `rows` non-null values of `value` (ordered by `order_by`, the current one
  included) that are at or below the current value: a trailing percentile. A self-join rather
  than percent_rank(), which would rank against the whole history, later values included.
  Null until `min_rows` values are in the window. `relation` may be a CTE name.
-#}
{% macro trailing_percentile(relation, value, order_by, rows, min_rows) -%}
    with numbered as (
        select {{ order_by }}, {{ value }} as series_value, row_number() over (order by {{ order_by }}) as n
        from {{ relation }}
        where {{ value }} is not null
    )

    select
        t.{{ order_by }},
        case
            when count(*) >= {{ min_rows }}
                then avg(case when p.series_value <= t.series_value then 1.0 else 0.0 end)
        end as percentile
    from numbered as t
    inner join numbered as p on p.n between t.n - {{ rows - 1 }} and t.n
    group by t.{{ order_by }}
{%- endmacro %}

{#-
  As-of join, portable (no ASOF JOIN): for each distinct `date_column` of `dates`, the latest
  `event_date_column` of `events` on or before it, never after; none when that is more than
  `max_age_days` calendar days old (a series that has ended does not go on being "current").
-#}
{% macro latest_on_or_before(dates, date_column, events, event_date_column, max_age_days) -%}
    select d.{{ date_column }}, max(e.{{ event_date_column }}) as {{ event_date_column }}
    from (select distinct {{ date_column }} from {{ dates }}) as d
    inner join {{ events }} as e
        on d.{{ date_column }} >= e.{{ event_date_column }}
        and e.{{ event_date_column }} >= {{ dbt.dateadd('day', -max_age_days, 'd.' ~ date_column) }}
    group by d.{{ date_column }}
{%- endmacro %}
