-- SPEC §5 zorgkas_leden(Y): persons with a zorgkas_affiliations period of the own zorgkas (seed
-- zorgkassen.is_own, 380) covering 31/12/Y, each counted once however many periods cover the date.
-- A table: read by the mart and by several data tests, each of which would otherwise redo the join.
{{ config(materialized='table') }}

with

covered as (

    {{ own_zorgkas_rows_at_year_end(
        ref('stg_zorgkas_affiliations__affiliation_periods'), 'start_date', 'end_date',
        ['person_pseudonym'], distinct=true,
    ) }}

)

select * from covered
