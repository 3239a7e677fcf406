{#-
  The eleven PropReports fee columns: (raw name, staged name). One list for the staging models
  that read them and the reconciliation that counts their rounded cells. A fee column missing
  from an older export is null in raw and zero in staging.
-#}
{% macro fee_columns() -%}
    {{ return([
        ('comm', 'commission'), ('ecn_fee', 'ecn_fee'), ('sec', 'sec_fee'), ('orf', 'orf_fee'),
        ('cat', 'cat_fee'), ('taf', 'taf_fee'), ('ftt', 'ftt_fee'), ('nscc', 'nscc_fee'),
        ('acc', 'acc_fee'), ('clr', 'clearing_fee'), ('misc', 'misc_fee'),
    ]) }}
{%- endmacro %}
