{#- Shared pieces of the Zorginspectie samples (fct_dmw_staff_sample, fct_dmw_alarm_invoice_sample,
    fct_dmw_proactive_action_sample): one draw order and one key for the three. -#}

{% macro dmw_sample_draw_key(year_column, id_column) %}
{#- The draw order of a sampled item: md5(random_seed|rule_code|year|id) of the sampling rule joined as
    `rules`, as hex text through dbt.hash, so the same data and seed draw the same sample on DuckDB and
    PostgreSQL alike. -#}
{{ dbt.hash(dbt.concat([
    "rules.random_seed", "'|'", "rules.rule_code", "'|'",
    "cast(" ~ year_column ~ " as " ~ dbt.type_string() ~ ")", "'|'", id_column
])) }}
{%- endmacro %}

{% macro dmw_sample_key_columns() %}
{#- The leading columns of every sample mart: year, dmw_code, landsbond_code, rule_code, sample_rank. -#}
        cast(year as {{ dbt.type_int() }}) as year,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(landsbond_code as {{ dbt.type_string() }}) as landsbond_code,
        cast(rule_code as {{ dbt.type_string() }}) as rule_code,
        cast(sample_rank as {{ dbt.type_int() }}) as sample_rank,
{%- endmacro %}
