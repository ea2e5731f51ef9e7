{#- Shared pieces of the int_dmw_*_norms_accumulated models and the DMW marts that explain them
    (issue 18: written once, not five times). -#}

{% macro dmw_month_spine(dmw_only=false) %}
{#- Every month of every year in scope, for every erkende DMW and (unless dmw_only) every landsbond
    roll-up (dmw_code LB_<landsbond_code>): the rows a year-to-date figure is computed for, so a
    DMW without activity in a month still gets its 0. Columns: year, month, dmw_code, landsbond_code. -#}
    select
        dmw_months.year,
        dmw_months.month,
        dmw_scopes.dmw_code,
        dmw_scopes.landsbond_code

    from {{ ref('int_dmw_months_enumerated') }} as dmw_months
    inner join {{ ref('int_dmw_scopes_enumerated') }} as dmw_scopes
        on
            dmw_months.year = dmw_scopes.year
            {%- if dmw_only %}
            and not dmw_scopes.is_landsbond_total
            {%- endif %}
{% endmacro %}

{% macro dmw_norm_rows(norms) %}
{#- The unpivot of measures into norm rows (year, month, dmw_code, landsbond_code, norm_code,
    achieved, numerator, denominator), one select per norm joined by union all. Each norm is a dict:
    code, from (a relation with year, month, dmw_code, landsbond_code), numerator, and
    - a count: numerator only, achieved = numerator;
    - a share: denominator too, achieved = numerator / denominator, null when the denominator is 0;
    - a value: achieved given (an amount), numerator and denominator optional. -#}
{%- for norm in norms %}
    select
        year,
        month,
        dmw_code,
        landsbond_code,
        '{{ norm.code }}' as norm_code,
        {%- if norm.achieved is defined %}
        cast({{ norm.achieved }} as decimal(18, 6)) as achieved,
        {%- elif norm.denominator is defined %}
        cast(
            case
                when {{ norm.denominator }} = 0 then null
                else cast({{ norm.numerator }} as decimal(18, 6)) / {{ norm.denominator }}
            end as decimal(18, 6)
        ) as achieved,
        {%- else %}
        cast({{ norm.numerator }} as decimal(18, 6)) as achieved,
        {%- endif %}
        cast({{ norm.numerator if norm.numerator is defined else 'null' }} as {{ dbt.type_bigint() }}) as numerator,
        cast({{ norm.denominator if norm.denominator is defined else 'null' }} as {{ dbt.type_bigint() }}) as denominator

    from {{ norm['from'] }}
    {%- if not loop.last %}

    union all
    {% endif %}
{%- endfor %}
{% endmacro %}

{% macro dmw_rows_in_scope(relation, columns, dmw_code='dmw_rows.dmw_code') %}
{#- The rows of relation (year, dmw_code and columns) of an erkende DMW in scope that year, with the
    DMW's landsbond_code: year, dmw_code (or the given expression over dmw_rows and dmw_scopes),
    landsbond_code and the columns. Rows of a DMW not in scope that year are left out, so a mart shows
    the same DMW as the norms it explains. -#}
    select
        dmw_rows.year,
        {{ dmw_code }} as dmw_code,
        dmw_scopes.landsbond_code,
        {%- for column in columns %}
        dmw_rows.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ relation }} as dmw_rows
    inner join {{ ref('int_dmw_scopes_enumerated') }} as dmw_scopes
        on
            dmw_rows.year = dmw_scopes.year
            and dmw_rows.dmw_code = dmw_scopes.dmw_code
            and not dmw_scopes.is_landsbond_total
{% endmacro %}

{% macro dmw_and_landsbond_rows(relation, columns) %}
{#- The rows of an erkende DMW in relation (dmw_rows_in_scope), and each row once more under its
    landsbond's roll-up code LB_<landsbond_code>: what the landsbond counts as distinct (users, target
    groups, aid types) is then counted over these rows, so a person helped by two of its DMW counts
    once (004 §2.3.1). Columns: year, dmw_code, landsbond_code and the columns. -#}
{{ dmw_rows_in_scope(relation, columns) }}
    union all
{{ dmw_rows_in_scope(relation, columns, dmw_code="'LB_' || dmw_scopes.landsbond_code") }}
{%- endmacro %}

{% macro dmw_per_event_month(relation, date_column, month_column, measures) %}
{#- The measures (a dict of column name -> aggregate) over the rows of relation per year, dmw_code and
    month of date_column (named month_column): what dmw_counted_by_month then accumulates. -#}
    select
        year,
        dmw_code,
        extract(month from {{ date_column }}) as {{ month_column }},
        {%- for column, aggregate in measures.items() %}
        {{ aggregate }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ relation }}
    group by year, dmw_code, extract(month from {{ date_column }})
{%- endmacro %}

{% macro dmw_distinct_per_first_month(relation, key, date_column, count_column) %}
{#- The distinct values of key (target groups, aid types) in relation per year and dmw_code, counted
    (as count_column) in the month they first occur (first_month): accumulated, the distinct values so
    far. Over dmw_and_landsbond_rows, a value of two DMW counts once for their landsbond. -#}
{%- set first_seen %}(
        select
            year,
            dmw_code,
            {{ key }},
            min({{ date_column }}) as first_on

        from {{ relation }}
        group by year, dmw_code, {{ key }}
    ) as first_seen{% endset %}
{{ dmw_per_event_month(first_seen, 'first_on', 'first_month', {count_column: 'count(*)'}) }}
{%- endmacro %}

{% macro dmw_with_landsbond_totals(relation, columns, aggregates={}) %}
{#- The rows of relation (year, month, dmw_code, landsbond_code and columns, one per erkende DMW and
    month) and one row more per landsbond and month, dmw_code LB_<landsbond_code>, whose columns are
    the sums over its DMW, or the expression given for the column in aggregates: for measures whose
    landsbond figure follows from its DMW's figures (contracts, advices, staff: nobody counted twice). -#}
    select
        year,
        month,
        dmw_code,
        landsbond_code,
        {%- for column in columns %}
        {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ relation }}

    union all

    select
        year,
        month,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        {%- for column in columns %}
        {{ aggregates.get(column, 'sum(' ~ column ~ ')') }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ relation }}
    group by year, month, landsbond_code
{%- endmacro %}

{% macro dmw_counted_by_month(relation, measures, month_column='event_month', cumulative=true) %}
{#- For every row of the CTE spine (a dmw_month_spine): the measures (a dict of
    column name -> aggregate) over the rows of relation of that DMW and year whose month_column is up
    to the month (cumulative: year to date) or is the month (not cumulative: a state on the month's
    last day). A month without rows keeps its row (count 0, sums null). Columns: year, month,
    dmw_code, landsbond_code and the measures. -#}
    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        {%- for column, aggregate in measures.items() %}
        {{ aggregate }} as {{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from spine
    left join {{ relation }}
        on
            spine.year = {{ relation }}.year
            and spine.dmw_code = {{ relation }}.dmw_code
            and {{ relation }}.{{ month_column }} {{ '<=' if cumulative else '=' }} spine.month
    group by spine.year, spine.month, spine.dmw_code, spine.landsbond_code
{% endmacro %}

{% macro dmw_norm_met(required) %}
{#- Whether a norm row meets required (the year's norm, or its pro-rata part so far): a share compares
    numerator with required x denominator (no rounding of the share), other kinds compare achieved;
    never met when achieved is null (nothing measurable). -#}
        coalesce(
            case
                when kind = 'SHARE' and comparator = '>=' then numerator >= {{ required }} * denominator
                when kind = 'SHARE' and comparator = '<=' then numerator <= {{ required }} * denominator
                when kind = 'SHARE' and comparator = '=' then numerator = {{ required }} * denominator
                when comparator = '>=' then achieved >= {{ required }}
                when comparator = '<=' then achieved <= {{ required }}
                when comparator = '=' then achieved = {{ required }}
            end
            and achieved is not null,
            false
        )
{%- endmacro %}

{% macro dmw_norm_key_columns(monthly=false) %}
{#- The leading columns of the norm marts fct_dmw_norm_year and (monthly) fct_dmw_norm_month: year,
    month (monthly only), dmw_code, landsbond_code, norm_code, kind, comparator. -#}
        cast(year as {{ dbt.type_int() }}) as year,
        {%- if monthly %}
        cast(month as {{ dbt.type_int() }}) as month,
        {%- endif %}
        {%- for column in ['dmw_code', 'landsbond_code', 'norm_code', 'kind', 'comparator'] %}
        cast({{ column }} as {{ dbt.type_string() }}) as {{ column }},
        {%- endfor %}
{%- endmacro %}
