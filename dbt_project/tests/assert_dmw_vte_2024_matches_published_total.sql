-- The 2024 VTE of the twelve erkende DMW add up to the TOTAAL printed in 004 §1.2.4.3 (572,06):
-- guards the seed against editing mistakes.
with

published as (

    select
        sum(vte) as total_vte,
        count(*) as dmw_count

    from {{ ref('dmw_vte') }}
    where year = 2024

)

select * from published
where total_vte <> 572.06 or dmw_count <> 12
