-- SPEC §5b renewal population: every right_renewals row of a reporting right_year, attributed to
-- the ziekenfonds whose members period covers 31/12 of right_year - 1 (fct_membership_year's rule:
-- latest affiliation_start wins); null when no period covers that date. The stage a row reaches is
-- given by its outcome (the funnel of §5b). decided_on is checked against the outcome, not used to
-- move a row to another stage: an outcome renewed on or before 31/12 of right_year - 1 (AUTO_JUNE,
-- AUTO_LATER, PROVINCIAL_REVIEW, AFTER_LETTER) decided later, REGULARISED_LATE decided outside
-- right_year, NO_RIGHT with a decision date or a renewal without one is flagged as a conflict.
-- A table: ~10 M rows at scale 1.0, read by the mart and its tests.
{{ config(materialized='table') }}

with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

renewals as (

    select
        person_pseudonym,
        right_year,
        outcome,
        decided_on,
        letter_sent_on

    from {{ ref('stg_right_renewals__renewals') }}

),

affiliation_periods as (

    select
        person_pseudonym,
        ziekenfonds_code,
        affiliation_start,
        affiliation_end,
        source_file,
        source_row

    from {{ ref('stg_members__affiliation_periods') }}

),

renewals_in_scope as (

    select
        renewals.person_pseudonym,
        renewals.right_year,
        renewals.outcome,
        renewals.decided_on,
        renewals.letter_sent_on,
        cast({{ dbt.dateadd('year', -1, 'reporting_years.reference_date') }} as date) as attribution_date,
        reporting_years.reference_date as right_year_end

    from renewals
    inner join reporting_years
        on renewals.right_year = reporting_years.year

),

covering_periods as (

    select
        renewals_in_scope.right_year,
        renewals_in_scope.person_pseudonym,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        affiliation_periods.source_file,
        affiliation_periods.source_row

    from renewals_in_scope
    inner join affiliation_periods
        on
            renewals_in_scope.person_pseudonym = affiliation_periods.person_pseudonym
            and {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', 'renewals_in_scope.attribution_date') }}

),

-- Aggregated rather than ranked over all rows (as int_members_assigned_at_year_end does): almost
-- every person has one covering period, and a window over 10 M rows costs minutes.
per_person as (

    select
        right_year,
        person_pseudonym,
        min(ziekenfonds_code) as lowest_ziekenfonds_code,
        max(ziekenfonds_code) as highest_ziekenfonds_code

    from covering_periods
    group by
        right_year,
        person_pseudonym

),

-- Two ziekenfondsen cover the date: the latest affiliation_start wins.
several_ranked as (

    select
        covering_periods.right_year,
        covering_periods.person_pseudonym,
        covering_periods.ziekenfonds_code,
        row_number() over (
            partition by covering_periods.right_year, covering_periods.person_pseudonym
            order by {{ latest_affiliation_first('covering_periods', by_member_type=false) }}
        ) as covering_rank

    from covering_periods
    inner join per_person
        on
            covering_periods.right_year = per_person.right_year
            and covering_periods.person_pseudonym = per_person.person_pseudonym
    where per_person.lowest_ziekenfonds_code <> per_person.highest_ziekenfonds_code

),

attributed as (

    select
        right_year,
        person_pseudonym,
        lowest_ziekenfonds_code as ziekenfonds_code

    from per_person
    where lowest_ziekenfonds_code = highest_ziekenfonds_code

    union all

    select
        right_year,
        person_pseudonym,
        ziekenfonds_code

    from several_ranked
    where covering_rank = 1

),

final as (

    select
        renewals_in_scope.right_year,
        renewals_in_scope.person_pseudonym,
        attributed.ziekenfonds_code,
        renewals_in_scope.attribution_date,
        renewals_in_scope.outcome,
        renewals_in_scope.decided_on,
        renewals_in_scope.letter_sent_on,
        renewals_in_scope.outcome = 'AUTO_JUNE' as is_auto_june,
        renewals_in_scope.outcome in ('AUTO_JUNE', 'AUTO_LATER') as is_automatic,
        renewals_in_scope.outcome in ('AUTO_JUNE', 'AUTO_LATER', 'PROVINCIAL_REVIEW') as is_without_contact,
        renewals_in_scope.letter_sent_on is not null as has_letter,
        renewals_in_scope.outcome in (
            'AUTO_JUNE', 'AUTO_LATER', 'PROVINCIAL_REVIEW', 'AFTER_LETTER'
        ) as is_renewed_by_year_end,
        renewals_in_scope.outcome = 'NO_RIGHT' as is_without_right_final,
        case
            when renewals_in_scope.outcome = 'NO_RIGHT' then renewals_in_scope.decided_on is not null
            when renewals_in_scope.decided_on is null then true
            when renewals_in_scope.outcome = 'REGULARISED_LATE'
                then
                    renewals_in_scope.decided_on <= renewals_in_scope.attribution_date
                    or renewals_in_scope.decided_on > renewals_in_scope.right_year_end
            else renewals_in_scope.decided_on > renewals_in_scope.attribution_date
        end as has_outcome_date_conflict

    from renewals_in_scope
    left join attributed
        on
            renewals_in_scope.right_year = attributed.right_year
            and renewals_in_scope.person_pseudonym = attributed.person_pseudonym

)

select * from final
