-- The 31 Decembers on which a person's ziekenfonds is looked up: every reporting year (the stocks
-- of SPEC §5) and the year before each (a right_year's renewal campaign ends on 31/12 of
-- right_year - 1, SPEC §5b).
with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

year_ends as (

    select
        year,
        reference_date

    from reporting_years

    union

    select
        year - 1 as year,
        cast({{ dbt.dateadd('year', -1, 'reference_date') }} as date) as reference_date

    from reporting_years

)

select * from year_ends
