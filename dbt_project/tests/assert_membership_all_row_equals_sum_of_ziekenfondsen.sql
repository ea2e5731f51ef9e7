-- SPEC §5: the landsbond row (ALL) of fct_membership_year is the sum of its ziekenfondsen for
-- leden, titularissen and vt_leden (each lid is counted in exactly one ziekenfonds per date), and at
-- least that sum for the zorgkas figures (ALL also counts own-zorgkas members who are no lid).
-- Every loaded year has exactly one ALL row.
with

membership as (

    select * from {{ ref('fct_membership_year') }}

),

summed as (

    select
        year,
        sum(leden) as leden,
        sum(titularissen) as titularissen,
        sum(vt_leden) as vt_leden,
        sum(zorgkas_leden) as zorgkas_leden,
        sum(zorgkas_active_dossiers) as zorgkas_active_dossiers

    from membership
    where ziekenfonds_code <> 'ALL'
    group by year

),

landsbond as (

    select * from membership
    where ziekenfonds_code = 'ALL'

),

years as (

    select year from {{ ref('int_reporting_years') }}

),

compared as (

    select
        years.year,
        landsbond.leden as all_leden,
        summed.leden as sum_leden,
        landsbond.titularissen as all_titularissen,
        summed.titularissen as sum_titularissen,
        landsbond.vt_leden as all_vt_leden,
        summed.vt_leden as sum_vt_leden,
        landsbond.zorgkas_leden as all_zorgkas_leden,
        summed.zorgkas_leden as sum_zorgkas_leden,
        landsbond.zorgkas_active_dossiers as all_zorgkas_active_dossiers,
        summed.zorgkas_active_dossiers as sum_zorgkas_active_dossiers

    from years
    left join landsbond
        on years.year = landsbond.year
    left join summed
        on years.year = summed.year

)

select * from compared
where
    all_leden is null
    or all_leden <> coalesce(sum_leden, 0)
    or all_titularissen <> coalesce(sum_titularissen, 0)
    or all_vt_leden <> coalesce(sum_vt_leden, 0)
    or all_zorgkas_leden < coalesce(sum_zorgkas_leden, 0)
    or all_zorgkas_active_dossiers < coalesce(sum_zorgkas_active_dossiers, 0)
