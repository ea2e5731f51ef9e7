{#
    Tables on DuckDB replaced inside one transaction: drop the old table, create the new one, commit.

    dbt-duckdb creates `<table>__dbt_tmp`, renames the existing table to `<table>__dbt_backup`,
    renames the new one into place, commits, then drops the backup in a transaction of its own:
    four more statements through dbt's Python for each of the 32 marts, a fixed cost of every run.
    DuckDB's DDL is transactional, so dropping and creating in one transaction is as safe: a
    failing model rolls back and leaves the previous table in place (tests/test_dbt_materializations.py).
    The drop has no CASCADE: DuckDB views are bound when read, and a view reading this table finds
    the new one. The projects' tables declare no constraints, indexes or partitioning (dbt-duckdb's
    materialization handles those; this one refuses them rather than ignore them).
    Other adapters keep their own materialization.
#}
{% materialization table, adapter='duckdb', supported_languages=['sql'] %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='table') -%}
    {%- set grant_config = config.get('grants') -%}
    {%- if config.get('indexes') or config.get('partitioned_by') or config.get('sorted_by') -%}
        {{ exceptions.raise_compiler_error("mutwh's DuckDB table materialization has no indexes, partitioned_by or sorted_by: " ~ this) }}
    {%- endif -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    -- `BEGIN` happens here:
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {% if existing_relation is not none %}
        {% call statement('drop_existing') -%}
            drop {{ existing_relation.type }} if exists {{ existing_relation }}
        {%- endcall %}
    {% endif %}

    {% call statement('main', language='sql') -%}
        {{ create_table_as(False, target_relation, sql, 'sql') }}
    {%- endcall %}

    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}
    -- `COMMIT` happens here
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
