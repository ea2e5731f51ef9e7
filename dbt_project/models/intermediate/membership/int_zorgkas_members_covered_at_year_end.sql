-- SPEC §5 zorgkas_leden(Y): persons with a zorgkas_affiliations period of the own zorgkas (seed
-- zorgkassen.is_own, 380) covering 31/12/Y, each counted once however many periods cover the date.
-- A table: read by the mart and by several data tests, each of which would otherwise redo the join.
{{ config(materialized='table') }}

with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

own_zorgkas as (

    select zorgkas_code

    from {{ ref('zorgkassen') }}
    where is_own

),

own_affiliations as (

    select
        affiliations.person_pseudonym,
        affiliations.start_date,
        affiliations.end_date

    from {{ ref('stg_zorgkas_affiliations__affiliation_periods') }} as affiliations
    inner join own_zorgkas
        on affiliations.zorgkas_code = own_zorgkas.zorgkas_code

),

covered as (

    select distinct
        reporting_years.year,
        own_affiliations.person_pseudonym

    from own_affiliations
    inner join reporting_years
        on
            {{ period_covers('own_affiliations.start_date', 'own_affiliations.end_date', 'reporting_years.reference_date') }}

)

select * from covered
