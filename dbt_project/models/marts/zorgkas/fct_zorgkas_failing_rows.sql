-- The failing rows behind every zorgkas indicator score (SPEC §1: "the failing dossiers behind
-- each score"): the non-compliant population rows of int_zorgkas_indicator_rows with their
-- reason. Pseudonymised person ids only (never an INSZ); row_id is the landing id of the
-- contribution, mutation, dossier or payment.
with

failing as (

    select
        year,
        zorgkas_code,
        indicator,
        row_type,
        row_id,
        person_pseudonym,
        reason,
        source_file,
        source_row

    from {{ ref('int_zorgkas_indicator_rows') }}
    where not compliant

)

select * from failing
