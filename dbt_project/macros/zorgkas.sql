{% macro own_zorgkas_rows_at_year_end(relation, start_column, end_column, columns, where=none, distinct=false) %}
{#- SPEC §5: the rows of relation (with zorgkas_code) of the own zorgkas (seed zorgkassen.is_own, 380)
    whose period [start_column, end_column] covers 31/12/Y (an open end runs on), once for every
    reporting year Y: year and the columns. where: a further condition on the rows (alias own_rows);
    distinct: each year and columns once, however many rows cover the date. -#}
    select {{- ' distinct' if distinct }}
        reporting_years.year,
        own_rows.{{ columns | join(',\n        own_rows.') }}

    from {{ relation }} as own_rows
    inner join {{ ref('zorgkassen') }} as zorgkassen
        on own_rows.zorgkas_code = zorgkassen.zorgkas_code
    inner join {{ ref('int_reporting_years') }} as reporting_years
        on
            {{ period_covers('own_rows.' ~ start_column, 'own_rows.' ~ end_column, 'reporting_years.reference_date') }}
    where
        zorgkassen.is_own
        {%- if where %}
        and {{ where }}
        {%- endif %}
{% endmacro %}

{% macro zorgkas_zzb_positive_decisions(columns, where=none) %}
{#- SPEC §5 I3 and I4: the ZZB dossiers with decision POSITIEF, each under the year it was decided in:
    the columns, year, source_file and source_row; where: a further condition. -#}
    select
        {%- for column in columns %}
        {{ column }},
        {%- endfor %}
        cast(extract(year from decided_on) as {{ dbt.type_int() }}) as year,
        source_file,
        source_row

    from {{ ref('stg_zorgkas_dossiers__dossiers') }}
    where pillar = 'ZZB' and decision = 'POSITIEF' {{- ' and ' ~ where if where }}
{% endmacro %}
