{#
    On Spark the ingestion hands its validated, pseudonymised tables over as Parquet under
    MUTWH_HOME/spark/raw/<table>/ (mutwh/spark.py); each run registers them as the external tables
    raw.<table> that the dbt sources name. Other targets read raw tables the ingestion wrote itself.
#}
{% macro register_raw_sources() -%}
    {%- if target.type == 'spark' and execute -%}
        {%- set root = env_var('MUTWH_HOME') ~ '/spark/raw/' -%}
        {%- do run_query('create database if not exists raw') -%}
        {%- for source in graph.sources.values() if source.schema == 'raw' -%}
            {%- do run_query('drop table if exists raw.' ~ source.name) -%}
            {%- do run_query("create table raw." ~ source.name ~ " using parquet location '" ~ root ~ source.name ~ "'") -%}
        {%- endfor -%}
    {%- endif -%}
{%- endmacro %}
