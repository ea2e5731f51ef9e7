-- The production tables of seed 003 (punt 5-9) per zorgkas and year (SPEC §6 zorgkas_production,
-- issue 16 point 9): members, handled dossiers per pillar, werkingsmiddelen, cost per member and
-- per handled dossier, reserves on 31/12.
-- The own zorgkas (seed zorgkassen.is_own) is computed from the landing zone for every loaded
-- year: members on 31/12 (as zorgkas_leden) and dossiers decided in the year (003's "afgehandelde
-- dossiers", not the active stock). The landing zone carries no werkingsmiddelen and no balance
-- sheet, so those two come from the published seeds for the own zorgkas too, and origin says so.
-- The other zorgkassen, and the own one in years that are not loaded, are the published tables.
with

zorgkassen as (

    select
        zorgkas_code,
        is_own

    from {{ ref('zorgkassen') }}

),

reporting_years as (

    select year

    from {{ ref('int_reporting_years') }}

),

own_members as (

    select
        year,
        count(*) as members

    from {{ ref('int_zorgkas_members_covered_at_year_end') }}
    group by year

),

own_dossiers as (

    select
        cast(extract(year from dossiers.decided_on) as {{ dbt.type_int() }}) as year,
        count(case when dossiers.pillar = 'ZZB' then 1 end) as dossiers_zzb,
        count(case when dossiers.pillar = 'ZOZ' then 1 end) as dossiers_zoz,
        count(case when dossiers.pillar = 'BOB' then 1 end) as dossiers_bob

    from {{ ref('stg_zorgkas_dossiers__dossiers') }} as dossiers
    inner join zorgkassen
        on dossiers.zorgkas_code = zorgkassen.zorgkas_code
    where zorgkassen.is_own
    group by 1

),

computed as (

    select
        reporting_years.year,
        zorgkassen.zorgkas_code,
        coalesce(own_members.members, 0) as members,
        coalesce(own_dossiers.dossiers_zzb, 0) as dossiers_zzb,
        coalesce(own_dossiers.dossiers_zoz, 0) as dossiers_zoz,
        coalesce(own_dossiers.dossiers_bob, 0) as dossiers_bob,
        true as counts_computed

    from reporting_years
    cross join zorgkassen
    left join own_members
        on reporting_years.year = own_members.year
    left join own_dossiers
        on reporting_years.year = own_dossiers.year
    where zorgkassen.is_own

),

published_counts as (

    select
        year,
        zorgkas_code,
        members,
        dossiers_zzb,
        dossiers_zoz,
        dossiers_bob

    from {{ ref('zorgkas_published_production') }}

),

werkingsmiddelen as (

    select
        year,
        zorgkas_code,
        ledenbeheer_en_zzb_eur,
        zorgbudget_ouderen_zorgnood_eur,
        basisondersteuningsbudget_eur,
        total_eur

    from {{ ref('zorgkas_werkingsmiddelen') }}

),

reserves as (

    select
        cast(extract(year from reference_date) as {{ dbt.type_int() }}) as year,
        zorgkas_code,
        reserve_eur

    from {{ ref('zorgkas_reserves') }}
    where extract(month from reference_date) = 12 and extract(day from reference_date) = 31

),

-- every (year, zorgkas) with a figure somewhere; a computed row replaces the published counts
keys as (

    select year, zorgkas_code from computed
    union
    select year, zorgkas_code from published_counts
    union
    select year, zorgkas_code from werkingsmiddelen
    union
    select year, zorgkas_code from reserves

),

combined as (

    select
        keys.year,
        keys.zorgkas_code,
        coalesce(zorgkassen.is_own, false) as is_own,
        coalesce(computed.counts_computed, false) as counts_computed,
        case when computed.counts_computed then computed.members else published_counts.members end as members,
        case
            when computed.counts_computed then computed.dossiers_zzb else published_counts.dossiers_zzb
        end as dossiers_zzb,
        case
            when computed.counts_computed then computed.dossiers_zoz else published_counts.dossiers_zoz
        end as dossiers_zoz,
        case
            when computed.counts_computed then computed.dossiers_bob else published_counts.dossiers_bob
        end as dossiers_bob,
        werkingsmiddelen.ledenbeheer_en_zzb_eur as werkingsmiddelen_ledenbeheer_zzb_eur,
        werkingsmiddelen.zorgbudget_ouderen_zorgnood_eur as werkingsmiddelen_zoz_eur,
        werkingsmiddelen.basisondersteuningsbudget_eur as werkingsmiddelen_bob_eur,
        werkingsmiddelen.total_eur as werkingsmiddelen_eur,
        reserves.reserve_eur as reserves_eur

    from keys
    left join zorgkassen
        on keys.zorgkas_code = zorgkassen.zorgkas_code
    left join computed
        on keys.year = computed.year and keys.zorgkas_code = computed.zorgkas_code
    left join published_counts
        on keys.year = published_counts.year and keys.zorgkas_code = published_counts.zorgkas_code
    left join werkingsmiddelen
        on keys.year = werkingsmiddelen.year and keys.zorgkas_code = werkingsmiddelen.zorgkas_code
    left join reserves
        on keys.year = reserves.year and keys.zorgkas_code = reserves.zorgkas_code

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(zorgkas_code as {{ dbt.type_string() }}) as zorgkas_code,
        is_own,
        cast(members as {{ dbt.type_bigint() }}) as members,
        cast(dossiers_zzb as {{ dbt.type_bigint() }}) as dossiers_zzb,
        cast(dossiers_zoz as {{ dbt.type_bigint() }}) as dossiers_zoz,
        cast(dossiers_bob as {{ dbt.type_bigint() }}) as dossiers_bob,
        cast(dossiers_zzb + dossiers_zoz + dossiers_bob as {{ dbt.type_bigint() }}) as dossiers_all_budgets,
        cast(werkingsmiddelen_ledenbeheer_zzb_eur as decimal(18, 2)) as werkingsmiddelen_ledenbeheer_zzb_eur,
        cast(werkingsmiddelen_zoz_eur as decimal(18, 2)) as werkingsmiddelen_zoz_eur,
        cast(werkingsmiddelen_bob_eur as decimal(18, 2)) as werkingsmiddelen_bob_eur,
        cast(werkingsmiddelen_eur as decimal(18, 2)) as werkingsmiddelen_eur,
        cast(round(werkingsmiddelen_eur / nullif(members, 0), 2) as decimal(18, 2)) as cost_per_member_eur,
        cast(
            round(werkingsmiddelen_eur / nullif(dossiers_zzb + dossiers_zoz + dossiers_bob, 0), 2) as decimal(18, 2)
        ) as cost_per_dossier_eur,
        cast(reserves_eur as decimal(18, 2)) as reserves_eur,
        cast(case
            when members is null then null
            when counts_computed then 'computed'
            else 'published'
        end as {{ dbt.type_string() }}) as counts_origin,
        cast(case
            when werkingsmiddelen_eur is not null or reserves_eur is not null then 'published'
        end as {{ dbt.type_string() }}) as finance_origin,
        cast(case
            when not counts_computed then 'published'
            when werkingsmiddelen_eur is not null and reserves_eur is not null
                then 'computed; published: werkingsmiddelen_eur and reserves_eur'
            when werkingsmiddelen_eur is not null then 'computed; published: werkingsmiddelen_eur'
            when reserves_eur is not null then 'computed; published: reserves_eur'
            else 'computed'
        end as {{ dbt.type_string() }}) as origin

    from combined

)

select * from final
