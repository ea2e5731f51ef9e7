-- SPEC §5 data error, as a warning: persons covered by two ziekenfondsen on 31/12/Y. They are
-- counted once (latest affiliation) and the figures are published, but the operators see the
-- list here and in int_members_flagged_in_several_ziekenfondsen until the source is corrected.
{{ config(severity='warn') }}

select
    year,
    person_pseudonym,
    counted_in_ziekenfonds_code,
    covering_ziekenfonds_codes

from {{ ref('int_members_flagged_in_several_ziekenfondsen') }}
