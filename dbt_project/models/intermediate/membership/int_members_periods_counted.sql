-- Every members period with the number of members periods of its person (person_periods). Most
-- persons have one period in all: the models that look up the period covering a date
-- (int_members_assigned_at_year_end, and the covering_ziekenfonds macro of the non-take-up models)
-- take those persons' answer from their one row with a plain join, and rank only the periods of
-- persons with several. The count per person was computed in each of those three models, each
-- grouping 3.7 M periods at scale 1.0, and the optimiser joined every period to the events before
-- it kept the persons with several (int_right_renewals_attributed 12 s -> 3 s,
-- benchmarks/profile.md). A table: counted once per build.
{{ config(materialized='table') }}

with

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

periods_per_person as (

    select
        person_pseudonym,
        count(*) as person_periods

    from affiliation_periods
    group by person_pseudonym

),

counted as (

    select
        affiliation_periods.person_pseudonym,
        affiliation_periods.ziekenfonds_code,
        affiliation_periods.member_type,
        affiliation_periods.affiliation_start,
        affiliation_periods.affiliation_end,
        affiliation_periods.source_file,
        affiliation_periods.source_row,
        periods_per_person.person_periods

    from affiliation_periods
    inner join periods_per_person
        on affiliation_periods.person_pseudonym = periods_per_person.person_pseudonym

)

select * from counted
