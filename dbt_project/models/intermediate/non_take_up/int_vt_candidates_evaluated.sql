-- SPEC §5b candidates: leden(Y) without VT on 31/12/Y with a member_indicators period covering
-- 31/12/Y, one row per year, person and indicator (a person with two indicators has two rows), on
-- the ziekenfonds of fct_membership_year (int_members_assigned_at_year_end). last_sent_on is the
-- person's latest mailing on or before 31/12/Y, any year; is_mailed_within_365_days is true when
-- it lies at most 365 days before 31/12/Y (exactly 365 days still counts as mailed, so such a
-- person is neither a not_mailed_candidate nor due for a letter).
-- A table: read by fct_vt_take_up_year (twice), fct_vt_mailing_list and their tests.
{{ config(materialized='table') }}

with

members as (

    select
        year,
        reference_date,
        person_pseudonym,
        ziekenfonds_code

    from {{ ref('int_members_assigned_at_year_end') }}
    where not has_vt

),

indicator_periods as (

    select
        person_pseudonym,
        indicator,
        start_date,
        end_date

    from {{ ref('stg_member_indicators__indicator_periods') }}

),

mailings as (

    select
        person_pseudonym,
        sent_on

    from {{ ref('stg_vt_mailings__mailings') }}

),

candidate_indicators as (

    select distinct
        members.year,
        members.reference_date,
        members.person_pseudonym,
        members.ziekenfonds_code,
        indicator_periods.indicator

    from members
    inner join indicator_periods
        on
            members.person_pseudonym = indicator_periods.person_pseudonym
            and {{ period_covers('indicator_periods.start_date', 'indicator_periods.end_date', 'members.reference_date') }}

),

candidate_persons as (

    select distinct
        year,
        reference_date,
        person_pseudonym

    from candidate_indicators

),

last_mailings as (

    select
        candidate_persons.year,
        candidate_persons.person_pseudonym,
        max(mailings.sent_on) as last_sent_on

    from candidate_persons
    inner join mailings
        on
            candidate_persons.person_pseudonym = mailings.person_pseudonym
            and mailings.sent_on <= candidate_persons.reference_date
    group by
        candidate_persons.year,
        candidate_persons.person_pseudonym

),

final as (

    select
        candidate_indicators.year,
        candidate_indicators.reference_date,
        candidate_indicators.person_pseudonym,
        candidate_indicators.ziekenfonds_code,
        candidate_indicators.indicator,
        last_mailings.last_sent_on,
        coalesce(
            last_mailings.last_sent_on
            >= cast({{ dbt.dateadd('day', -365, 'candidate_indicators.reference_date') }} as date),
            false
        ) as is_mailed_within_365_days

    from candidate_indicators
    left join last_mailings
        on
            candidate_indicators.year = last_mailings.year
            and candidate_indicators.person_pseudonym = last_mailings.person_pseudonym

)

select * from final
