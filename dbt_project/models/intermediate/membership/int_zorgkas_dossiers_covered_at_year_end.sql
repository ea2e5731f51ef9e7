-- SPEC §5 zorgkas_active_dossiers(Y): positive dossiers of the own zorgkas (seed zorgkassen.is_own,
-- 380) whose right [right_start, right_end] covers 31/12/Y (right_end null = unlimited). A positive
-- dossier without right_start has no right yet and is not active.
-- A table: read by the mart and by several data tests, each of which would otherwise redo the join.
{{ config(materialized='table') }}

with

covered as (

    {{ own_zorgkas_rows_at_year_end(
        ref('stg_zorgkas_dossiers__dossiers'), 'right_start', 'right_end',
        ['dossier_id', 'person_pseudonym', 'pillar'],
        where="own_rows.decision = 'POSITIEF'",
    ) }}

)

select * from covered
