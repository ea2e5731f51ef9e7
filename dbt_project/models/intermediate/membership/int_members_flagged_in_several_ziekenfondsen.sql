-- SPEC §5 data error: persons covered by two (or more) ziekenfondsen on 31/12/Y. They are counted
-- once in fct_membership_year (int_members_assigned_at_year_end); this list tells the ziekenfondsen
-- which affiliations to correct. The covering ziekenfondsen are looked up again in staging for the
-- few flagged persons only, with the same covering rule.
-- A table: read by a warning test and by data tests, each of which would otherwise redo the join.
{{ config(materialized='table') }}

with

flagged as (

    select
        year,
        reference_date,
        person_pseudonym,
        ziekenfonds_code as counted_in_ziekenfonds_code,
        affiliation_start as counted_affiliation_start,
        covering_periods

    from {{ ref('int_members_assigned_at_year_end') }}
    where is_in_several_ziekenfondsen

),

covering_ziekenfonds_codes as (

    select distinct
        flagged.year,
        flagged.person_pseudonym,
        affiliation_periods.ziekenfonds_code

    from flagged
    inner join {{ ref('stg_members__affiliation_periods') }} as affiliation_periods
        on
            flagged.person_pseudonym = affiliation_periods.person_pseudonym
            and {{ period_covers('affiliation_periods.affiliation_start', 'affiliation_periods.affiliation_end', 'flagged.reference_date') }}

),

listed as (

    select
        year,
        person_pseudonym,
        {{ dbt.listagg('ziekenfonds_code', "','", 'order by ziekenfonds_code') }} as covering_ziekenfonds_codes,
        count(*) as covering_ziekenfondsen

    from covering_ziekenfonds_codes
    group by
        year,
        person_pseudonym

),

final as (

    select
        flagged.year,
        flagged.person_pseudonym,
        flagged.counted_in_ziekenfonds_code,
        flagged.counted_affiliation_start,
        listed.covering_ziekenfonds_codes,
        listed.covering_ziekenfondsen,
        flagged.covering_periods

    from flagged
    inner join listed
        on
            flagged.year = listed.year
            and flagged.person_pseudonym = listed.person_pseudonym

)

select * from final
