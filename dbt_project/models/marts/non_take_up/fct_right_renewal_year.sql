-- SPEC §5b renewal funnel, grain right_year x ziekenfonds plus the landsbond (ALL). Every
-- reporting right_year gets every ziekenfonds (zeros, not missing rows). Stages are cumulative by
-- outcome; shares are of the population (null when it is 0). A person whom no members period
-- covers on 31/12 of right_year - 1 counts in the ALL row only (population_without_ziekenfonds).
{% set stage_aggregates %}
        count(*) as population,
        sum(case when is_auto_june then 1 else 0 end) as auto_june,
        sum(case when is_automatic then 1 else 0 end) as automatic,
        sum(case when is_without_contact then 1 else 0 end) as without_contact,
        sum(case when has_letter then 1 else 0 end) as letters_sent,
        sum(case when is_renewed_by_year_end then 1 else 0 end) as renewed_by_year_end,
        sum(case when is_without_right_final then 1 else 0 end) as without_right_final,
        sum(case when has_outcome_date_conflict then 1 else 0 end) as outcome_date_conflicts,
        sum(case when ziekenfonds_code is null then 1 else 0 end) as population_without_ziekenfonds
{% endset %}
{% set stages = ['auto_june', 'automatic', 'without_contact', 'letters_sent', 'renewed_by_year_end',
                 'without_right_at_year_end', 'without_right_final'] %}

with

reporting_years as (

    select year from {{ ref('int_reporting_years') }}

),

ziekenfondsen as (

    select ziekenfonds_code from {{ ref('ziekenfondsen') }}
    union all
    select 'ALL' as ziekenfonds_code

),

renewals as (

    select
        right_year,
        ziekenfonds_code,
        is_auto_june,
        is_automatic,
        is_without_contact,
        has_letter,
        is_renewed_by_year_end,
        is_without_right_final,
        has_outcome_date_conflict

    from {{ ref('int_right_renewals_attributed') }}

),

stage_counts as (

    select
        right_year,
        ziekenfonds_code,
        {{ stage_aggregates }}

    from renewals
    where ziekenfonds_code is not null
    group by right_year, ziekenfonds_code

    union all

    select
        right_year,
        'ALL' as ziekenfonds_code,
        {{ stage_aggregates }}

    from renewals
    group by right_year

),

spine as (

    select
        reporting_years.year as right_year,
        ziekenfondsen.ziekenfonds_code

    from reporting_years
    cross join ziekenfondsen

),

counts as (

    select
        spine.right_year,
        spine.ziekenfonds_code,
        coalesce(stage_counts.population, 0) as population,
        coalesce(stage_counts.auto_june, 0) as auto_june,
        coalesce(stage_counts.automatic, 0) as automatic,
        coalesce(stage_counts.without_contact, 0) as without_contact,
        coalesce(stage_counts.letters_sent, 0) as letters_sent,
        coalesce(stage_counts.renewed_by_year_end, 0) as renewed_by_year_end,
        coalesce(stage_counts.population, 0) - coalesce(stage_counts.renewed_by_year_end, 0)
            as without_right_at_year_end,
        coalesce(stage_counts.without_right_final, 0) as without_right_final,
        coalesce(stage_counts.outcome_date_conflicts, 0) as outcome_date_conflicts,
        coalesce(stage_counts.population_without_ziekenfonds, 0) as population_without_ziekenfonds

    from spine
    left join stage_counts
        on
            spine.right_year = stage_counts.right_year
            and spine.ziekenfonds_code = stage_counts.ziekenfonds_code

),

final as (

    select
        cast(right_year as {{ dbt.type_int() }}) as right_year,
        cast(ziekenfonds_code as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(population as {{ dbt.type_bigint() }}) as population,
        {%- for stage in stages %}
        cast({{ stage }} as {{ dbt.type_bigint() }}) as {{ stage }},
        {%- endfor %}
        {%- for stage in stages %}
        cast(
            case when population > 0 then 1.0 * {{ stage }} / population end as decimal(9, 6)
        ) as {{ stage }}_share,
        {%- endfor %}
        cast(outcome_date_conflicts as {{ dbt.type_bigint() }}) as outcome_date_conflicts,
        cast(population_without_ziekenfonds as {{ dbt.type_bigint() }}) as population_without_ziekenfonds

    from counts

)

select * from final
