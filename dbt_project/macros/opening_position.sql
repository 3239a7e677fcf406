{#-
  A symbol's position at the day's open: the signed net quantity of all the account's earlier
  days in that symbol (histories start flat). Used by the reconciliation and the round trips.
-#}
{% macro opening_position(net_quantity='net_quantity') -%}
    coalesce(sum({{ net_quantity }}) over (
        partition by account_name, symbol order by trade_date
        rows between unbounded preceding and 1 preceding
    ), 0)
{%- endmacro %}
