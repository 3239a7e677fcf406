{#-
  Incremental filter shared by the fills-heavy models: keep only the account-days that received
  rows in loads newer than `watermark_sql` (new days and restated days alike).
-#}
{% macro account_days_loaded_after(fills_relation, watermark_sql) -%}
    (account_name, trade_date) in (
        select
            newer.account_name,
            newer.trade_date
        from {{ fills_relation }} as newer
        where newer._load_seq > ({{ watermark_sql }})
    )
{%- endmacro %}
