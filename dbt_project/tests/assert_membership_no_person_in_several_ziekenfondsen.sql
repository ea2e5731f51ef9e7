-- SPEC §5 data error, as a warning: persons covered by two ziekenfondsen on 31/12/Y. They are
-- counted once (latest affiliation) and the figures are published, but the operators see the
-- list here and in int_members_flagged_in_several_ziekenfondsen until the source is corrected.
-- Read for the years of fct_membership_year, the figures it concerns: the check sits on that mart
-- (tests/_singular__tests.yml), upstream of the exports that record it in their manifest.
{{ config(severity='warn') }}

with

flagged as (

    select
        year,
        person_pseudonym,
        counted_in_ziekenfonds_code,
        covering_ziekenfonds_codes

    from {{ ref('int_members_flagged_in_several_ziekenfondsen') }}

),

membership_years as (

    select distinct year from {{ ref('fct_membership_year') }}

),

final as (

    select
        flagged.year,
        flagged.person_pseudonym,
        flagged.counted_in_ziekenfonds_code,
        flagged.covering_ziekenfonds_codes

    from flagged
    inner join membership_years
        on flagged.year = membership_years.year

)

select * from final
