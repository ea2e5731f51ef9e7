-- The production tables of 003 (punt 5-8) add up after a user edits the seeds: the printed
-- "alle zorgbudgetten" dossiers are zzb + zoz + bob, and the printed werkingsmiddelen total is the
-- sum of its three components up to rounding (003 prints each to the cent: at most 2 cents apart).
with

dossiers as (

    select
        'zorgkas_published_production' as seed,
        year,
        zorgkas_code,
        cast(dossiers_all_budgets as decimal(18, 2)) as printed_total,
        cast(dossiers_zzb + dossiers_zoz + dossiers_bob as decimal(18, 2)) as sum_of_parts

    from {{ ref('zorgkas_published_production') }}

),

werkingsmiddelen as (

    select
        'zorgkas_werkingsmiddelen' as seed,
        year,
        zorgkas_code,
        total_eur as printed_total,
        ledenbeheer_en_zzb_eur + zorgbudget_ouderen_zorgnood_eur + basisondersteuningsbudget_eur as sum_of_parts

    from {{ ref('zorgkas_werkingsmiddelen') }}
    where total_eur is not null

),

checked as (

    select * from dossiers
    where printed_total <> sum_of_parts
    union all
    select * from werkingsmiddelen
    where sum_of_parts is null or abs(printed_total - sum_of_parts) > 0.02

)

select * from checked
