-- SPEC §5b: the landsbond (ALL) rows are the sum of the ziekenfondsen for every count, plus the
-- persons no ziekenfonds covers on the attribution date (counted in ALL only): exactly for the
-- population and mailed, and at most that many more for every later stage.
{% set take_up_counts = ['candidates', 'mailed', 'reminders', 'mailed_with_vt', 'converted_12m',
                         'not_mailed_candidates'] %}
{% set renewal_counts = ['population', 'auto_june', 'automatic', 'without_contact', 'letters_sent',
                         'renewed_by_year_end', 'without_right_at_year_end', 'without_right_final'] %}

with

take_up_sums as (

    select
        year,
        indicator,
        {%- for c in take_up_counts %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ ref('fct_vt_take_up_year') }}
    where ziekenfonds_code <> 'ALL'
    group by year, indicator

),

take_up_problems as (

    select
        'fct_vt_take_up_year' as mart,
        landsbond.year,
        landsbond.indicator as detail

    from {{ ref('fct_vt_take_up_year') }} as landsbond
    inner join take_up_sums
        on
            landsbond.year = take_up_sums.year
            and landsbond.indicator = take_up_sums.indicator
    where
        landsbond.ziekenfonds_code = 'ALL'
        and (
            landsbond.candidates <> take_up_sums.candidates
            or landsbond.not_mailed_candidates <> take_up_sums.not_mailed_candidates
            or landsbond.mailed <> take_up_sums.mailed + landsbond.mailed_without_ziekenfonds
            {%- for c in ['reminders', 'mailed_with_vt', 'converted_12m'] %}
            or landsbond.{{ c }} < take_up_sums.{{ c }}
            or landsbond.{{ c }} > take_up_sums.{{ c }} + landsbond.mailed_without_ziekenfonds
            {%- endfor %}
        )

),

renewal_sums as (

    select
        right_year,
        {%- for c in renewal_counts %}
        sum({{ c }}) as {{ c }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ ref('fct_right_renewal_year') }}
    where ziekenfonds_code <> 'ALL'
    group by right_year

),

renewal_problems as (

    select
        'fct_right_renewal_year' as mart,
        landsbond.right_year as year,
        'ALL' as detail

    from {{ ref('fct_right_renewal_year') }} as landsbond
    inner join renewal_sums
        on landsbond.right_year = renewal_sums.right_year
    where
        landsbond.ziekenfonds_code = 'ALL'
        and (
            landsbond.population <> renewal_sums.population + landsbond.population_without_ziekenfonds
            {%- for c in renewal_counts[1:] %}
            or landsbond.{{ c }} < renewal_sums.{{ c }}
            or landsbond.{{ c }} > renewal_sums.{{ c }} + landsbond.population_without_ziekenfonds
            {%- endfor %}
        )

)

select * from take_up_problems
union all
select * from renewal_problems
