{#-
  Generated from the dbt graph at compile time with the rule ml.features.discover_features
  applies to the manifest: a column of a model under marts/features/ whose meta (the model's
  meta, folder default included, overlaid with the column's) says feature: true, keys excluded.
  So the docs list exactly the columns the risk models train on.
-#}
{%- set key_columns = ['trader_id', 'as_of_date'] -%}
{%- set features = [] -%}
{%- if execute -%}
    {%- for node in graph.nodes.values() | sort(attribute='name') -%}
        {%- set path = node.path | replace('\\', '/') -%}
        {%- if node.resource_type == 'model' and path.startswith('marts/features/') -%}
            {%- for column in node.columns.values() -%}
                {%- set meta = {} -%}
                {%- do meta.update(node.config.meta or node.meta or {}) -%}
                {%- do meta.update((column.config or {}).get('meta') or column.meta or {}) -%}
                {%- if meta.get('feature') is sameas true and column.name not in key_columns -%}
                    {%- set values = [
                        column.name, node.name, column.description,
                        meta.get('window'), meta.get('source'), meta.get('definition'),
                    ] -%}
                    {%- set literals = [] -%}
                    {%- for value in values -%}
                        {%- if value is none -%}
                            {%- do literals.append('null') -%}
                        {%- else -%}
                            {%- set text = value | string | trim | replace("'", "''") -%}
                            {%- do literals.append("'" ~ text ~ "'") -%}
                        {%- endif -%}
                    {%- endfor -%}
                    {%- do features.append(literals) -%}
                {%- endif -%}
            {%- endfor -%}
        {%- endif -%}
    {%- endfor -%}
{%- endif -%}

with

-- Typed and empty, so the model builds with the right columns while no feature exists.
empty_catalogue as (
    select
        cast(null as varchar) as feature_name,
        cast(null as varchar) as model_name,
        cast(null as varchar) as description,
        cast(null as varchar) as feature_window,
        cast(null as varchar) as feature_source,
        cast(null as varchar) as definition
    where false
),

-- The rows are text copied from YAML, so their length is not ours to wrap.
-- noqa: disable=LT05
final as (
    select * from empty_catalogue
    {% for feature in features -%}
        union all
        select
            {{ feature[0] }} as feature_name,
            {{ feature[1] }} as model_name,
            {{ feature[2] }} as description,
            {{ feature[3] }} as feature_window,
            {{ feature[4] }} as feature_source,
            {{ feature[5] }} as definition
    {% endfor %}
)
-- noqa: enable=LT05

select * from final
