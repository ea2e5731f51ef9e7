{#
    Seeds keep codes as text through +column_types in dbt_project.yml, written as varchar, which
    DuckDB and PostgreSQL accept and Spark refuses without a length. dbt-spark's seed macros, with
    the seed's types translated to Spark's (varchar -> string); otherwise unchanged.
#}
{% macro spark_column_type(type) -%}
    {%- set lowered = (type | string | trim | lower) -%}
    {{- 'string' if lowered == 'varchar' or lowered.startswith('varchar(') or lowered == 'text' else type -}}
{%- endmacro %}

{% macro spark_seed_types(model, agate_table) -%}
    {%- set column_override = model['config'].get('column_types', {}) -%}
    {%- set types = [] -%}
    {%- for col_name in agate_table.column_names -%}
        {%- set inferred_type = adapter.convert_type(agate_table, loop.index0) -%}
        {%- do types.append(spark_column_type(column_override.get(col_name, inferred_type))) -%}
    {%- endfor -%}
    {{ return(types) }}
{%- endmacro %}

{% macro spark__create_csv_table(model, agate_table) %}
  {%- set types = spark_seed_types(model, agate_table) -%}
  {%- set quote_seed_column = model['config'].get('quote_columns', None) -%}
  {% set sql %}
    create table {{ this.render() }} (
        {%- for col_name in agate_table.column_names -%}
            {{ adapter.quote_seed_column(col_name | string, quote_seed_column) }} {{ types[loop.index0] }} {%- if not loop.last -%}, {%- endif -%}
        {%- endfor -%}
    )
    {{ file_format_clause() }}
    {{ location_clause() }}
    {{ comment_clause() }}
  {% endset %}
  {% call statement('_') -%}
    {{ sql }}
  {%- endcall %}
  {{ return(sql) }}
{% endmacro %}

{#
    Rows as literals, not bindings: the session method substitutes bindings without escaping, so a
    quote inside a seed's text broke the statement and an empty cell became the text 'None'.
#}
{% macro spark_literal(value) -%}
    {%- if value is none -%}
        null
    {%- else -%}
        '{{ (value | string).replace('\\', '\\\\').replace("'", "\\'") }}'
    {%- endif -%}
{%- endmacro %}

{% macro spark__load_csv_rows(model, agate_table) %}
  {%- set types = spark_seed_types(model, agate_table) -%}
  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(get_batch_size()) %}
      {% set sql %}
          insert into {{ this.render() }} values
          {% for row in chunk -%}
              ({%- for value in row -%}
                  cast({{ spark_literal(value) }} as {{ types[loop.index0] }})
                  {%- if not loop.last %},{%- endif %}
              {%- endfor -%})
              {%- if not loop.last %},{%- endif %}
          {%- endfor %}
      {% endset %}
      {% do run_query(sql) %}
      {% if loop.index0 == 0 %}
          {% do statements.append(sql) %}
      {% endif %}
  {% endfor %}
  {{ return(statements[0]) }}
{% endmacro %}
