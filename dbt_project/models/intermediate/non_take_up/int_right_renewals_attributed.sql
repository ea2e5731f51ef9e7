-- SPEC §5b renewal population: every right_renewals row of a reporting right_year, attributed to
-- the ziekenfonds whose members period covers 31/12 of right_year - 1 (fct_membership_year's rule:
-- latest affiliation_start wins); null when no period covers that date. The stage a row reaches is
-- given by its outcome (the funnel of §5b). decided_on is checked against the outcome, not used to
-- move a row to another stage: an outcome renewed on or before 31/12 of right_year - 1 (AUTO_JUNE,
-- AUTO_LATER, PROVINCIAL_REVIEW, AFTER_LETTER) decided later, REGULARISED_LATE decided outside
-- right_year, NO_RIGHT with a decision date or a renewal without one is flagged as a conflict.
-- A table: ~10 M rows at scale 1.0, read by the mart and its tests.
{{ config(materialized='table') }}
-- Built after int_members_assigned_at_year_end, which it does not read: the two heaviest models
-- of a build (each ~10 M rows grouped by person) would otherwise start together and share DuckDB's
-- memory limit, spilling, and take twice as long side by side as one after the other
-- (benchmarks/profile.md: 75.3 s -> 64.6 s for the build at scale 1.0).
-- depends_on: {{ ref('int_members_assigned_at_year_end') }}

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

{{ covering_ziekenfonds('attributed', 'renewals_in_scope', ['right_year'], 'attribution_date') }},

final as (

    select
        attributed.right_year,
        attributed.person_pseudonym,
        attributed.ziekenfonds_code,
        attributed.attribution_date,
        attributed.outcome,
        attributed.decided_on,
        attributed.letter_sent_on,
        attributed.outcome = 'AUTO_JUNE' as is_auto_june,
        attributed.outcome in ('AUTO_JUNE', 'AUTO_LATER') as is_automatic,
        attributed.outcome in ('AUTO_JUNE', 'AUTO_LATER', 'PROVINCIAL_REVIEW') as is_without_contact,
        attributed.letter_sent_on is not null as has_letter,
        attributed.outcome in (
            'AUTO_JUNE', 'AUTO_LATER', 'PROVINCIAL_REVIEW', 'AFTER_LETTER'
        ) as is_renewed_by_year_end,
        attributed.outcome = 'NO_RIGHT' as is_without_right_final,
        case
            when attributed.outcome = 'NO_RIGHT' then attributed.decided_on is not null
            when attributed.decided_on is null then true
            when attributed.outcome = 'REGULARISED_LATE'
                then
                    attributed.decided_on <= attributed.attribution_date
                    or attributed.decided_on > attributed.right_year_end
            else attributed.decided_on > attributed.attribution_date
        end as has_outcome_date_conflict

    from attributed

)

select * from final
