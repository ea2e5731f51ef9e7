-- Exactly one landsbond (300) and one zorgkas (380) are the warehouse's own: the KPIs of SPEC §5
-- (zorgkas_leden, the premium records of I1) select on is_own.
with

own_landsbond as (

    select
        count(*) as own_count,
        min(landsbond_code) as own_code

    from {{ ref('landsbonden') }}
    where is_own

),

own_zorgkas as (

    select
        count(*) as own_count,
        min(zorgkas_code) as own_code

    from {{ ref('zorgkassen') }}
    where is_own

),

checked as (

    select 'landsbond' as kind, own_count, own_code, '300' as expected_code from own_landsbond
    union all
    select 'zorgkas' as kind, own_count, own_code, '380' as expected_code from own_zorgkas

)

select * from checked
where own_count <> 1 or own_code <> expected_code
