-- SPEC §5b VT take-up, grain year x ziekenfonds x indicator, with ALL rows for the ziekenfonds (the
-- landsbond) and for the indicator. Every reporting year gets every combination (zeros, not
-- missing rows). Candidates count on the ziekenfonds and indicators of 31/12/Y (a person with two
-- indicators once in each indicator row, once in the ALL indicator row); mailed persons on the
-- ziekenfonds covering their first sent_on of Y and the indicator of that mailing. A mailed person
-- whom no members period covers on that day counts in the landsbond (ALL) rows only, and is
-- reported in mailed_without_ziekenfonds there.
{% set mailed_aggregates %}
        count(*) as mailed,
        sum(case when is_reminder then 1 else 0 end) as reminders,
        sum(case when is_mailed_with_vt then 1 else 0 end) as mailed_with_vt,
        sum(case when is_converted_12m then 1 else 0 end) as converted_12m,
        sum(case when ziekenfonds_code is null then 1 else 0 end) as mailed_without_ziekenfonds
{% endset %}
{% set candidate_aggregates %}
        count(*) as candidates,
        sum(case when is_mailed_within_365_days then 0 else 1 end) as not_mailed_candidates
{% endset %}

with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

ziekenfondsen as (

    select ziekenfonds_code from {{ ref('ziekenfondsen') }}
    union all
    select 'ALL' as ziekenfonds_code

),

indicators as (

    select indicator from {{ ref('vt_indicators') }}
    union all
    select 'ALL' as indicator

),

candidates as (

    select
        year,
        person_pseudonym,
        ziekenfonds_code,
        indicator,
        is_mailed_within_365_days

    from {{ ref('int_vt_candidates_evaluated') }}

),

candidate_persons as (

    select distinct
        year,
        person_pseudonym,
        ziekenfonds_code,
        is_mailed_within_365_days

    from candidates

),

first_mailings as (

    select
        year,
        person_pseudonym,
        ziekenfonds_code,
        indicator,
        is_reminder,
        is_mailed_with_vt,
        is_converted_12m,
        follow_up_ends_on

    from {{ ref('int_vt_mailings_first_of_year') }}

),

candidate_counts as (

    {{ counts_with_all_rows('candidates', ['ziekenfonds_code', 'indicator'], ['ziekenfonds_code'], candidate_aggregates) }}

    union all

    -- the ALL indicator counts persons: one with two indicators once
    {{ counts_with_all_rows('candidate_persons', ['ziekenfonds_code', 'indicator'], ['ziekenfonds_code'],
        candidate_aggregates, constants={'indicator': "'ALL'"}) }}

),

mailed_counts as (

    {{ counts_with_all_rows('first_mailings', ['ziekenfonds_code', 'indicator'], ['ziekenfonds_code', 'indicator'],
        mailed_aggregates) }}

),

-- follow_up_complete: the 365-day window of every first mailing of Y has ended by 31/12 of the
-- latest loaded reporting year.
latest_year as (

    select max(reference_date) as latest_reference_date

    from reporting_years

),

follow_up as (

    select
        reporting_years.year,
        max(first_mailings.follow_up_ends_on) as follow_up_ends_on

    from reporting_years
    left join first_mailings
        on reporting_years.year = first_mailings.year
    group by reporting_years.year

),

spine as (

    select
        reporting_years.year,
        ziekenfondsen.ziekenfonds_code,
        indicators.indicator

    from reporting_years
    cross join ziekenfondsen
    cross join indicators

),

final as (

    select
        cast(spine.year as {{ dbt.type_int() }}) as year,
        cast(spine.ziekenfonds_code as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(spine.indicator as {{ dbt.type_string() }}) as indicator,
        cast(coalesce(candidate_counts.candidates, 0) as {{ dbt.type_bigint() }}) as candidates,
        cast(coalesce(mailed_counts.mailed, 0) as {{ dbt.type_bigint() }}) as mailed,
        cast(coalesce(mailed_counts.reminders, 0) as {{ dbt.type_bigint() }}) as reminders,
        cast(coalesce(mailed_counts.mailed_with_vt, 0) as {{ dbt.type_bigint() }}) as mailed_with_vt,
        cast(coalesce(mailed_counts.converted_12m, 0) as {{ dbt.type_bigint() }}) as converted_12m,
        cast(
            case
                when mailed_counts.mailed > 0 then 1.0 * mailed_counts.converted_12m / mailed_counts.mailed
            end as decimal(9, 6)
        ) as conversion_rate,
        cast(
            coalesce(candidate_counts.not_mailed_candidates, 0) as {{ dbt.type_bigint() }}
        ) as not_mailed_candidates,
        coalesce(follow_up.follow_up_ends_on <= latest_year.latest_reference_date, true) as follow_up_complete,
        cast(follow_up.follow_up_ends_on as date) as follow_up_ends_on,
        cast(
            coalesce(mailed_counts.mailed_without_ziekenfonds, 0) as {{ dbt.type_bigint() }}
        ) as mailed_without_ziekenfonds

    from spine
    cross join latest_year
    inner join follow_up
        on spine.year = follow_up.year
    left join candidate_counts
        on
            spine.year = candidate_counts.year
            and spine.ziekenfonds_code = candidate_counts.ziekenfonds_code
            and spine.indicator = candidate_counts.indicator
    left join mailed_counts
        on
            spine.year = mailed_counts.year
            and spine.ziekenfonds_code = mailed_counts.ziekenfonds_code
            and spine.indicator = mailed_counts.indicator

)

select * from final
