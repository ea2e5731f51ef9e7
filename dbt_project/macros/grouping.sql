{% macro counts_with_all_rows(relation, keys, with_all, aggregates, constants={}) %}
{#- The aggregates (select-list text) over relation per year and keys, where each key in with_all is
    also 'ALL' (the row over all its values): one union branch per subset of with_all, written here
    once. A row whose with_all key is null counts in that key's ALL rows only. A key in constants is
    that SQL value instead of a column. Columns: year, the keys in their order, the aggregates.
    (Union branches rather than GROUP BY GROUPING SETS: the SQL linter's dialect cannot parse those.) -#}
    {%- for mask in range(2 ** (with_all | length)) %}
    {%- set totals = [] %}
    {%- for key in with_all %}
        {%- if ((mask / (2 ** loop.index0)) | int) % 2 == 1 %}{% do totals.append(key) %}{% endif %}
    {%- endfor %}
    {%- set grouped = [] %}
    {%- set not_null = [] %}
    {%- for key in keys if key not in totals and key not in constants %}
        {%- do grouped.append(key) %}
        {%- if key in with_all %}{% do not_null.append(key ~ ' is not null') %}{% endif %}
    {%- endfor %}
    select
        year,
        {%- for key in keys %}
        {%- if key in constants %}
        {{ constants[key] }} as {{ key }},
        {%- elif key in totals %}
        'ALL' as {{ key }},
        {%- else %}
        {{ key }},
        {%- endif %}
        {%- endfor %}
        {{ aggregates }}

    from {{ relation }}
    {%- if not_null %}
    where {{ not_null | join(' and ') }}
    {%- endif %}
    group by year{% for key in grouped %}, {{ key }}{% endfor %}
    {%- if not loop.last %}

    union all
    {% endif %}
    {%- endfor %}
{% endmacro %}
