-- SPEC §5 zorgkas_active_dossiers(Y): positive dossiers of the own zorgkas (seed zorgkassen.is_own,
-- 380) whose right [right_start, right_end] covers 31/12/Y (right_end null = unlimited). A positive
-- dossier without right_start has no right yet and is not active.
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

positive_dossiers as (

    select
        dossiers.dossier_id,
        dossiers.person_pseudonym,
        dossiers.pillar,
        dossiers.right_start,
        dossiers.right_end

    from {{ ref('stg_zorgkas_dossiers__dossiers') }} as dossiers
    inner join own_zorgkas
        on dossiers.zorgkas_code = own_zorgkas.zorgkas_code
    where dossiers.decision = 'POSITIEF'

),

covered as (

    select
        reporting_years.year,
        positive_dossiers.dossier_id,
        positive_dossiers.person_pseudonym,
        positive_dossiers.pillar

    from positive_dossiers
    inner join reporting_years
        on
            {{ period_covers('positive_dossiers.right_start', 'positive_dossiers.right_end', 'reporting_years.reference_date') }}

)

select * from covered
