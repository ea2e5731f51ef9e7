-- SPEC §5b mailed: one row per reporting year and person mailed in that year, carrying the first
-- mailing of the year (earliest sent_on, then the lowest mailing_id, so the choice never depends on
-- the engine). The indicator and is_reminder of that mailing count, and the person is attributed to
-- the ziekenfonds whose members period covers its sent_on (fct_membership_year's rule: latest
-- affiliation_start wins); null when no period covers it. Converted: a vt_periods start in
-- (sent_on, sent_on + 365 days], unless the person already had VT on sent_on (mailed_with_vt).
-- A table: its checks and fct_vt_take_up_year each recomputed the view (~8 s and ~5 s at scale 1.0,
-- for 0.75 M rows), where writing it once costs well under a second.
{{ config(materialized='table') }}
with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

mailings as (

    select
        mailing_id,
        person_pseudonym,
        sent_on,
        indicator,
        is_reminder

    from {{ ref('stg_vt_mailings__mailings') }}

),

vt_periods as (

    select
        person_pseudonym,
        start_date,
        end_date

    from {{ ref('stg_vt_periods__vt_periods') }}

),

mailings_in_year as (

    select
        reporting_years.year,
        mailings.person_pseudonym,
        mailings.mailing_id,
        mailings.sent_on,
        mailings.indicator,
        mailings.is_reminder,
        row_number() over (
            partition by reporting_years.year, mailings.person_pseudonym
            order by mailings.sent_on asc, mailings.mailing_id asc
        ) as mailing_rank

    from mailings
    inner join reporting_years
        on extract(year from mailings.sent_on) = reporting_years.year

),

first_mailings as (

    select
        year,
        person_pseudonym,
        mailing_id,
        sent_on,
        cast({{ dbt.dateadd('day', 365, 'sent_on') }} as date) as follow_up_ends_on,
        indicator,
        is_reminder

    from mailings_in_year
    where mailing_rank = 1

),

{{ covering_ziekenfonds('attributed', 'first_mailings', ['year'], 'sent_on') }},

vt_around_mailing as (

    select
        first_mailings.year,
        first_mailings.person_pseudonym,
        max(
            case
                when
                    {{ period_covers('vt_periods.start_date', 'vt_periods.end_date', 'first_mailings.sent_on') }}
                    then 1
                else 0
            end
        ) as had_vt_on_sent_on,
        max(
            case
                when
                    vt_periods.start_date > first_mailings.sent_on
                    and vt_periods.start_date <= first_mailings.follow_up_ends_on
                    then 1
                else 0
            end
        ) as vt_started_within_365_days

    from first_mailings
    inner join vt_periods
        on first_mailings.person_pseudonym = vt_periods.person_pseudonym
    group by
        first_mailings.year,
        first_mailings.person_pseudonym

),

final as (

    select
        attributed.year,
        attributed.person_pseudonym,
        attributed.mailing_id,
        attributed.sent_on,
        attributed.follow_up_ends_on,
        attributed.indicator,
        attributed.is_reminder,
        attributed.ziekenfonds_code,
        coalesce(vt_around_mailing.had_vt_on_sent_on, 0) = 1 as is_mailed_with_vt,
        (
            coalesce(vt_around_mailing.had_vt_on_sent_on, 0) = 0
            and coalesce(vt_around_mailing.vt_started_within_365_days, 0) = 1
        ) as is_converted_12m

    from attributed
    left join vt_around_mailing
        on
            attributed.year = vt_around_mailing.year
            and attributed.person_pseudonym = vt_around_mailing.person_pseudonym

)

select * from final
