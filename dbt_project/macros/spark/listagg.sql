{#
    Spark's collect_list keeps no order. The project only ever lists values ordered by themselves
    (codes, indicators), which array_sort gives in the same binary order as DuckDB and PostgreSQL.
#}
{% macro spark__listagg(measure, delimiter_text, order_by_clause, limit_num) -%}
    {%- if order_by_clause and (order_by_clause | trim | lower) != ('order by ' ~ measure | lower) -%}
        {{ exceptions.raise_compiler_error("listagg on Spark orders a list by its own values only, not: " ~ order_by_clause) }}
    {%- endif -%}
    array_join(array_sort(collect_list({{ measure }})), {{ delimiter_text }})
{%- endmacro %}
