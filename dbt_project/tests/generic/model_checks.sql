{#
    The row-level guarantees of one model or seed as one test node: columns never empty
    (not_null), keys that occur once (unique: a list of keys, each a list of columns), columns
    that only take listed values (accepted_values: column -> values) and fixed-length codes
    (has_length: column -> characters).

    One node instead of one per guarantee: a production build ran ~230 tests, each ~46 ms of dbt
    and Dagster overhead before the warehouse read anything; folding these into one node per model
    took ~100 nodes out (benchmarks/profile.md). The not-null, accepted-value and length counts are
    one scan of the model; each key is one grouped scan.

    Same contract as the tests it replaces: a one-column key ignores empty values as dbt's unique
    does, a several-column key compares rows as they are (unique_combination_of_columns), and an
    empty value is not refused by accepted_values or has_length (not_null says whether it may be
    empty). Returns one row per broken guarantee: which, on which columns, and how many rows (for
    a key: how many values occur more than once). The test's failures, which Dagster shows as the
    check's failed row count, are those rows summed: the rows that break a guarantee, not the
    number of guarantees broken.
#}
{% test model_checks(model, not_null=[], unique=[], accepted_values={}, has_length={}) %}

{{ config(fail_calc="coalesce(sum(failing_rows), 0)") }}

{%- set counted = [] -%}
{%- for column in not_null -%}
    {%- do counted.append(("not_null", column, column ~ " is null")) -%}
{%- endfor -%}
{%- for column, values in accepted_values.items() -%}
    {%- set listed = [] -%}
    {%- for value in values -%}
        {%- do listed.append("'" ~ (value | replace("'", "''")) ~ "'" if value is string else value | string) -%}
    {%- endfor -%}
    {%- do counted.append(("accepted_values", column, column ~ " not in (" ~ listed | join(", ") ~ ")")) -%}
{%- endfor -%}
{%- for column, length in has_length.items() -%}
    {%- do counted.append(("has_length", column, dbt.length(column) ~ " <> " ~ length)) -%}
{%- endfor -%}

{%- set checks = [] -%}
{%- for check, columns, failing in counted -%}
    {%- do checks.append(
        "select '" ~ check ~ "' as check_name, '" ~ columns ~ "' as checked_columns, failing_"
        ~ loop.index ~ " as failing_rows from row_counts"
    ) -%}
{%- endfor -%}
{%- for key in unique -%}
    {%- do checks.append(
        "select 'unique' as check_name, '" ~ key | join(", ") ~ "' as checked_columns, count(*) as failing_rows"
        ~ " from duplicates_" ~ loop.index
    ) -%}
{%- endfor -%}

with

{% if counted %}
row_counts as (

    select
        {% for check, columns, failing in counted -%}
        sum(case when {{ failing }} then 1 else 0 end) as failing_{{ loop.index }}{{ "," if not loop.last }}
        {% endfor %}
    from {{ model }}

),
{% endif %}

{% for key in unique %}
duplicates_{{ loop.index }} as (

    select {{ key | join(", ") }}
    from {{ model }}
    {% if key | length == 1 -%}
    where {{ key[0] }} is not null
    {% endif -%}
    group by {{ key | join(", ") }}
    having count(*) > 1

),
{% endfor %}

checked as (

    {{ checks | join("\n    union all\n    ") }}

)

select * from checked
where failing_rows > 0

{% endtest %}
