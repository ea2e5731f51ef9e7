-- The withheld total is redistributed over ALL zorgkassen (SPEC §5a): a responsabilisering year
-- whose seed zorgkas_werkingsmiddelen lacks a zorgkas would spread it over too few of them.
with

zorgkassen as (

    select count(*) as expected_zorgkassen
    from {{ ref('zorgkassen') }}

),

per_year as (

    select
        year,
        basis,
        count(*) as zorgkassen

    from {{ ref('fct_zorgkas_responsabilisering_year') }}
    group by year, basis

)

select
    per_year.year,
    per_year.basis,
    per_year.zorgkassen,
    zorgkassen.expected_zorgkassen

from per_year
cross join zorgkassen
where per_year.zorgkassen <> zorgkassen.expected_zorgkassen
