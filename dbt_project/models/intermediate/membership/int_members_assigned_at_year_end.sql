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

affiliation_periods as (

    select
        person_pseudonym,
        ziekenfonds_code,
        member_type,
        affiliation_start,
        affiliation_end,
        source_file,
        source_row

    from {{ ref('stg_members__affiliation_periods') }}

),

vt_periods as (

    select
        person_pseudonym,
        start_date,
        end_date

    from {{ ref('stg_vt_periods__vt_periods') }}

),

covering_periods as (

    select
        reporting_years.year,
        reporting_years.reference_date,
        affiliation_periods.person_pseudonym,
        1 as is_member_period,
        0 as is_vt_period,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.member_type,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        affiliation_periods.source_file,
        affiliation_periods.source_row

    from affiliation_periods
    inner join reporting_years
        on
            {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', 'reporting_years.reference_date') }}

),

vt_covering_periods as (

    select
        reporting_years.year,
        reporting_years.reference_date,
        vt_periods.person_pseudonym,
        0 as is_member_period,
        1 as is_vt_period,
        cast(null as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(null as {{ dbt.type_string() }}) as member_type,
        cast(null as date) as affiliation_start,
        cast(null as date) as affiliation_end,
        cast(null as {{ dbt.type_string() }}) as source_file,
        cast(null as {{ dbt.type_bigint() }}) as source_row

    from vt_periods
    inner join reporting_years
        on
            {{ period_covers('vt_periods.start_date', 'vt_periods.end_date', 'reporting_years.reference_date') }}

),

-- Members and VT periods of a person and year are stacked and aggregated in one pass instead of
-- being joined or ranked over all rows: at 3 M persons a join or a window on (year,
-- person_pseudonym) costs several times more, and almost every person has one covering period.
stacked as (

    select * from covering_periods
    union all
    select * from vt_covering_periods

),

per_person as (

    select
        year,
        person_pseudonym,
        min(reference_date) as reference_date,
        sum(is_member_period) as covering_periods,
        max(is_vt_period) as has_vt_period,
        min(ziekenfonds_code) as lowest_ziekenfonds_code,
        max(ziekenfonds_code) as highest_ziekenfonds_code,
        -- the values of the period itself when exactly one members period covers the date
        min(member_type) as single_member_type,
        min(affiliation_start) as single_affiliation_start,
        min(affiliation_end) as single_affiliation_end

    from stacked
    group by
        year,
        person_pseudonym

),

single_period as (

    select
        year,
        reference_date,
        person_pseudonym,
        lowest_ziekenfonds_code as ziekenfonds_code,
        single_member_type as member_type,
        single_affiliation_start as affiliation_start,
        single_affiliation_end as affiliation_end,
        has_vt_period,
        covering_periods,
        lowest_ziekenfonds_code,
        highest_ziekenfonds_code

    from per_person
    where covering_periods = 1

),

-- Several covering periods (overlaps, two ziekenfondsen): the latest affiliation_start counts.
several_periods_ranked as (

    select
        covering_periods.year,
        covering_periods.reference_date,
        covering_periods.person_pseudonym,
        covering_periods.ziekenfonds_code,
        covering_periods.member_type,
        covering_periods.affiliation_start,
        covering_periods.affiliation_end,
        per_person.has_vt_period,
        per_person.covering_periods,
        per_person.lowest_ziekenfonds_code,
        per_person.highest_ziekenfonds_code,
        row_number() over (
            partition by covering_periods.year, covering_periods.person_pseudonym
            order by {{ latest_affiliation_first('covering_periods') }}
        ) as covering_rank

    from covering_periods
    inner join per_person
        on
            covering_periods.year = per_person.year
            and covering_periods.person_pseudonym = per_person.person_pseudonym
    where per_person.covering_periods > 1

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
        has_vt_period,
        covering_periods,
        lowest_ziekenfonds_code,
        highest_ziekenfonds_code

    from several_periods_ranked
    where covering_rank = 1

),

assigned as (

    select
        year,
        reference_date,
        person_pseudonym,
        ziekenfonds_code,
        member_type,
        affiliation_start,
        affiliation_end,
        member_type = 'TITULARIS' as is_titularis,
        has_vt_period = 1 as has_vt,
        covering_periods,
        lowest_ziekenfonds_code <> highest_ziekenfonds_code as is_in_several_ziekenfondsen

    from chosen

)

select * from assigned
