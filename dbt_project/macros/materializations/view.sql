{#
    Views on DuckDB in one statement: `create or replace view`, inside the node's transaction.

    dbt-duckdb builds a view the way it builds a table: create `<view>__dbt_tmp`, rename the
    existing view to `<view>__dbt_backup`, rename the new one into place, commit, drop the backup
    (each its own statement through dbt's Python, with its events). The staging and intermediate
    layers are 43 views in a production build, and that overhead was a fixed cost of every run
    (benchmarks/profile.md). DuckDB replaces a view atomically, so the swap adds nothing here.
    Other adapters keep their own materialization (PostgreSQL refuses `create or replace view`
    when the columns change; Spark builds these layers as tables).
#}
{% materialization view, adapter='duckdb' %}
    {%- set existing_relation = load_cached_relation(this) -%}
    {%- set target_relation = this.incorporate(type='view') -%}
    {%- set grant_config = config.get('grants') -%}

    {{ run_hooks(pre_hooks, inside_transaction=False) }}
    {{ run_hooks(pre_hooks, inside_transaction=True) }}

    {%- if existing_relation is not none and not existing_relation.is_view -%}
        {{ adapter.drop_relation(existing_relation) }}
    {%- endif -%}

    {% call statement('main') -%}
        {%- if config.get('contract').enforced %}{{ get_assert_columns_equivalent(sql) }}{% endif %}
        {{ config.get('sql_header') or '' }}
        create or replace view {{ target_relation }} as (
            {{ sql }}
        );
    {%- endcall %}

    {% set should_revoke = should_revoke(existing_relation, full_refresh_mode=True) %}
    {% do apply_grants(target_relation, grant_config, should_revoke=should_revoke) %}
    {% do persist_docs(target_relation, model) %}
    {{ run_hooks(post_hooks, inside_transaction=True) }}
    {{ adapter.commit() }}
    {{ run_hooks(post_hooks, inside_transaction=False) }}

    {{ return({'relations': [target_relation]}) }}
{% endmaterialization %}
