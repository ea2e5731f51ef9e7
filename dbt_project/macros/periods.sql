{% macro period_covers(start_column, end_column, day) %}
{#- SPEC §5: a period [start, end] covers a day D when start <= D and (end is null or D <= end);
    an open end (null) runs on without limit. -#}
({{ start_column }} <= {{ day }} and ({{ end_column }} is null or {{ day }} <= {{ end_column }}))
{%- endmacro %}

{% macro latest_affiliation_first(periods, by_member_type=true) %}
{#- SPEC §5: of several members periods covering a day, the latest affiliation_start counts; ties
    (impossible while the staging key holds) go to the latest end (open first), then the lowest
    ziekenfonds_code, TITULARIS before PERSOON_TEN_LASTE, the landing file and row, so that the
    choice never depends on the engine. The ORDER BY of row_number() in every model that makes
    this choice. A model that keeps only the ziekenfonds passes by_member_type=false: the member
    type only orders periods of the same ziekenfonds, and carrying it costs memory on 10 M rows. -#}
{{ periods }}.affiliation_start desc,
                {{ periods }}.affiliation_end desc nulls first,
                {{ periods }}.ziekenfonds_code asc,
                {%- if by_member_type %}
                {{ periods }}.member_type desc,
                {%- endif %}
                {{ periods }}.source_file asc,
                {{ periods }}.source_row asc
{%- endmacro %}

{% macro covering_ziekenfonds(name, events, keys, on_date) %}
{#- CTEs ending in `name` (keys..., person_pseudonym, ziekenfonds_code): for each row of the CTE
    `events` (keys..., person_pseudonym, on_date; one row per keys and person), the ziekenfonds whose
    members period covers on_date, by fct_membership_year's rule (latest_affiliation_first); no row
    when no period covers it. Aggregated first and ranked only where two ziekenfondsen cover the
    date: almost every person has one covering period, and a window over 10 M rows costs minutes.
    Used inside a model's `with` list: `{{ covering_ziekenfonds('attributed', 'renewals', ['right_year'], 'attribution_date') }},` -#}
{%- set key_list = keys | join(', ') %}
{{ name }}__periods as (

    select
        {%- for key in keys %}
        {{ events }}.{{ key }},
        {%- endfor %}
        {{ events }}.person_pseudonym,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        affiliation_periods.source_file,
        affiliation_periods.source_row

    from {{ events }}
    inner join {{ ref('stg_members__affiliation_periods') }} as affiliation_periods
        on
            {{ events }}.person_pseudonym = affiliation_periods.person_pseudonym
            and {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', events ~ '.' ~ on_date) }}

),

{{ name }}__per_person as (

    select
        {{ key_list }},
        person_pseudonym,
        min(ziekenfonds_code) as lowest_ziekenfonds_code,
        max(ziekenfonds_code) as highest_ziekenfonds_code

    from {{ name }}__periods
    group by
        {{ key_list }},
        person_pseudonym

),

{{ name }}__ranked as (

    select
        {%- for key in keys %}
        covering.{{ key }},
        {%- endfor %}
        covering.person_pseudonym,
        covering.ziekenfonds_code,
        row_number() over (
            partition by {% for key in keys %}covering.{{ key }}, {% endfor %}covering.person_pseudonym
            order by {{ latest_affiliation_first('covering', by_member_type=false) }}
        ) as covering_rank

    from {{ name }}__periods as covering
    inner join {{ name }}__per_person as per_person
        on
            {%- for key in keys %}
            covering.{{ key }} = per_person.{{ key }} and
            {%- endfor %}
            covering.person_pseudonym = per_person.person_pseudonym
    where per_person.lowest_ziekenfonds_code <> per_person.highest_ziekenfonds_code

),

{{ name }} as (

    select
        {{ key_list }},
        person_pseudonym,
        lowest_ziekenfonds_code as ziekenfonds_code

    from {{ name }}__per_person
    where lowest_ziekenfonds_code = highest_ziekenfonds_code

    union all

    select
        {{ key_list }},
        person_pseudonym,
        ziekenfonds_code

    from {{ name }}__ranked
    where covering_rank = 1

)
{%- endmacro %}
