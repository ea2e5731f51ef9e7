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
{#- CTEs ending in `name`: every row of the CTE `events` (keys..., person_pseudonym, on_date, any
    other columns; one row per keys and person) with ziekenfonds_code added: the ziekenfonds whose
    members period covers on_date, by fct_membership_year's rule (latest_affiliation_first); null
    when no period covers it.
    Most persons have one members period in all (int_members_periods_counted.person_periods = 1):
    for them the answer is that period's ziekenfonds if it covers on_date, found by one join. Only
    the events of persons with several periods are joined to those periods and ranked. Grouping
    10 M events by person and joining the result back cost ~10 s at scale 1.0
    (benchmarks/profile.md).
    Used inside a model's `with` list, then selected from:
    `{{ covering_ziekenfonds('attributed', 'renewals', ['right_year'], 'attribution_date') }},` -#}
{{ name }}__single_period as (

    select
        person_pseudonym,
        ziekenfonds_code,
        affiliation_start,
        affiliation_end

    from {{ ref('int_members_periods_counted') }}
    where person_periods = 1

),

{{ name }}__several_periods as (

    select
        person_pseudonym,
        ziekenfonds_code,
        affiliation_start,
        affiliation_end,
        source_file,
        source_row

    from {{ ref('int_members_periods_counted') }}
    where person_periods > 1

),

{{ name }}__several_ranked as (

    select
        {%- for key in keys %}
        {{ events }}.{{ key }},
        {%- endfor %}
        {{ events }}.person_pseudonym,
        covering.ziekenfonds_code,
        row_number() over (
            partition by {% for key in keys %}{{ events }}.{{ key }}, {% endfor %}{{ events }}.person_pseudonym
            order by {{ latest_affiliation_first('covering', by_member_type=false) }}
        ) as covering_rank

    from {{ events }}
    inner join {{ name }}__several_periods as covering
        on
            {{ events }}.person_pseudonym = covering.person_pseudonym
            and {{ period_covers('covering.affiliation_start', 'covering.affiliation_end', events ~ '.' ~ on_date) }}

),

{{ name }}__several_chosen as (

    select
        {%- for key in keys %}
        {{ key }},
        {%- endfor %}
        person_pseudonym,
        ziekenfonds_code

    from {{ name }}__several_ranked
    where covering_rank = 1

),

{{ name }} as (

    select
        {{ events }}.*,
        coalesce(
            case
                when {{ period_covers('single_period.affiliation_start', 'single_period.affiliation_end', events ~ '.' ~ on_date) }}
                    then single_period.ziekenfonds_code
            end,
            several_chosen.ziekenfonds_code
        ) as ziekenfonds_code

    from {{ events }}
    left join {{ name }}__single_period as single_period
        on {{ events }}.person_pseudonym = single_period.person_pseudonym
    left join {{ name }}__several_chosen as several_chosen
        on
            {%- for key in keys %}
            {{ events }}.{{ key }} = several_chosen.{{ key }} and
            {%- endfor %}
            {{ events }}.person_pseudonym = several_chosen.person_pseudonym

)
{%- endmacro %}
