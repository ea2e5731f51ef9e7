-- SPEC §5 membership: every lid on 31/12/Y, once, with the ziekenfonds and member type of the
-- period that counts. A period covers D when start <= D and (end is null or D <= end). A person
-- covered by two ziekenfondsen on the same date is a data error: the period with the latest
-- affiliation_start counts (ties, impossible while the staging key holds, fall back to the latest
-- end, then the codes and the landing row, so the choice never depends on the engine) and the
-- person is flagged (is_in_several_ziekenfondsen).
-- A table: the mart, the flag list and the zorgkas split all read it (3 M persons x years).
{{ config(materialized='table') }}

with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

-- Every members period with the number of periods of its person. Most persons have one period in
-- all: their row of a year is that period when it covers the date, with no grouping of 10 M
-- (year, person) rows. Only the persons with several periods go through the ranking below
-- (benchmarks/profile.md: the stacked aggregate of every person and year took ~10 s at scale 1.0).
affiliation_periods as (

    select
        person_pseudonym,
        ziekenfonds_code,
        member_type,
        affiliation_start,
        affiliation_end,
        source_file,
        source_row,
        person_periods

    from {{ ref('int_members_periods_counted') }}

),

vt_periods as (

    select
        person_pseudonym,
        start_date,
        end_date

    from {{ ref('stg_vt_periods__vt_periods') }}

),

vt_at_year_end as (

    select distinct
        reporting_years.year,
        vt_periods.person_pseudonym

    from vt_periods
    inner join reporting_years
        on
            {{ period_covers('vt_periods.start_date', 'vt_periods.end_date', 'reporting_years.reference_date') }}

),

single_period as (

    select
        reporting_years.year,
        reporting_years.reference_date,
        affiliation_periods.person_pseudonym,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.member_type,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        1 as covering_periods,
        false as is_in_several_ziekenfondsen

    from affiliation_periods
    inner join reporting_years
        on
            {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', 'reporting_years.reference_date') }}
    where affiliation_periods.person_periods = 1

),

-- Persons with several periods: those that cover the date are counted, and the latest
-- affiliation_start counts.
several_periods_covering as (

    select
        reporting_years.year,
        reporting_years.reference_date,
        affiliation_periods.person_pseudonym,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.member_type,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        count(*) over (
            partition by reporting_years.year, affiliation_periods.person_pseudonym
        ) as covering_periods,
        min(affiliation_periods.ziekenfonds_code) over (
            partition by reporting_years.year, affiliation_periods.person_pseudonym
        ) as lowest_ziekenfonds_code,
        max(affiliation_periods.ziekenfonds_code) over (
            partition by reporting_years.year, affiliation_periods.person_pseudonym
        ) as highest_ziekenfonds_code,
        row_number() over (
            partition by reporting_years.year, affiliation_periods.person_pseudonym
            order by {{ latest_affiliation_first('affiliation_periods') }}
        ) as covering_rank

    from affiliation_periods
    inner join reporting_years
        on
            {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', 'reporting_years.reference_date') }}
    where affiliation_periods.person_periods > 1

),

chosen as (

    select * from single_period
    union all
    select
        year,
        reference_date,
        person_pseudonym,
        ziekenfonds_code,
        member_type,
        affiliation_start,
        affiliation_end,
        covering_periods,
        lowest_ziekenfonds_code <> highest_ziekenfonds_code as is_in_several_ziekenfondsen

    from several_periods_covering
    where covering_rank = 1

),

assigned as (

    select
        chosen.year,
        chosen.reference_date,
        chosen.person_pseudonym,
        chosen.ziekenfonds_code,
        chosen.member_type,
        chosen.affiliation_start,
        chosen.affiliation_end,
        chosen.member_type = 'TITULARIS' as is_titularis,
        vt_at_year_end.person_pseudonym is not null as has_vt,
        chosen.covering_periods,
        chosen.is_in_several_ziekenfondsen

    from chosen
    left join vt_at_year_end
        on
            chosen.year = vt_at_year_end.year
            and chosen.person_pseudonym = vt_at_year_end.person_pseudonym

)

select * from assigned
