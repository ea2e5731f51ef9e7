-- Year-to-date figures of the norms on registrations (SPEC §5: USERS_REACHED, USERS_BEGELEIDING,
-- USERS_ERGO, USERS_HANDICAP_DEMENTIA, ZORGBEHOEFTE_SHARE; 004 §2.3.2: BEGELEIDING_ACTIVE_
-- CONSULTATION) per month, erkende DMW and landsbond. A landsbond counts distinct persons (004
-- §2.3.1 'unieke gebruikers'): a person helped by two of its DMW is one user of the landsbond,
-- qualifying from the earliest of the dates at either DMW; its shares are recomputed from those
-- distinct counts. BEGELEIDING_ACTIVE_CONSULTATION: users in begeleiding so far none of whose
-- begeleiding registrations so far lacks active consultation / users in begeleiding so far.
with

users as (

    select * from {{ ref('int_dmw_users_deduplicated') }}

),

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        is_landsbond_total

    from {{ ref('int_dmw_scopes_enumerated') }}

),

months as (

    select
        year,
        month

    from {{ ref('int_dmw_months_enumerated') }}

),

dmw_users as (

    select
        users.year,
        users.dmw_code,
        scopes.landsbond_code,
        users.person_pseudonym,
        users.first_registered_on,
        users.first_begeleiding_on,
        users.first_ergo_on,
        users.first_handicap_dementia_on,
        users.first_zorgbehoefte_on,
        users.first_begeleiding_without_consultation_on

    from users
    inner join scopes
        on
            users.year = scopes.year
            and users.dmw_code = scopes.dmw_code
            and not scopes.is_landsbond_total

),

landsbond_users as (

    select
        year,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        person_pseudonym,
        min(first_registered_on) as first_registered_on,
        min(first_begeleiding_on) as first_begeleiding_on,
        min(first_ergo_on) as first_ergo_on,
        min(first_handicap_dementia_on) as first_handicap_dementia_on,
        min(first_zorgbehoefte_on) as first_zorgbehoefte_on,
        min(first_begeleiding_without_consultation_on) as first_begeleiding_without_consultation_on

    from dmw_users
    group by year, landsbond_code, person_pseudonym

),

scoped_users as (

    select * from dmw_users
    union all
    select * from landsbond_users

),

first_dates as (

    select year, dmw_code, 'USERS_REACHED' as measure, first_registered_on as first_on from scoped_users
    union all
    select year, dmw_code, 'USERS_BEGELEIDING' as measure, first_begeleiding_on as first_on from scoped_users
    union all
    select year, dmw_code, 'USERS_ERGO' as measure, first_ergo_on as first_on from scoped_users
    union all
    select year, dmw_code, 'USERS_HANDICAP_DEMENTIA' as measure, first_handicap_dementia_on as first_on from scoped_users
    union all
    select year, dmw_code, 'USERS_ZORGBEHOEFTE' as measure, first_zorgbehoefte_on as first_on from scoped_users
    union all
    select
        year, dmw_code, 'USERS_WITHOUT_CONSULTATION' as measure, first_begeleiding_without_consultation_on as first_on
    from scoped_users

),

per_month as (

    select
        year,
        dmw_code,
        measure,
        extract(month from first_on) as first_month,
        count(*) as users

    from first_dates
    where first_on is not null
    group by year, dmw_code, measure, extract(month from first_on)

),

spine as (

    select
        months.year,
        months.month,
        scopes.dmw_code,
        scopes.landsbond_code

    from months
    inner join scopes
        on months.year = scopes.year

),

accumulated as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        sum(case when per_month.measure = 'USERS_REACHED' then per_month.users else 0 end) as users_reached,
        sum(case when per_month.measure = 'USERS_BEGELEIDING' then per_month.users else 0 end) as users_begeleiding,
        sum(case when per_month.measure = 'USERS_ERGO' then per_month.users else 0 end) as users_ergo,
        sum(case when per_month.measure = 'USERS_HANDICAP_DEMENTIA' then per_month.users else 0 end)
            as users_handicap_dementia,
        sum(case when per_month.measure = 'USERS_ZORGBEHOEFTE' then per_month.users else 0 end) as users_zorgbehoefte,
        sum(case when per_month.measure = 'USERS_WITHOUT_CONSULTATION' then per_month.users else 0 end)
            as users_without_consultation

    from spine
    left join per_month
        on
            spine.year = per_month.year
            and spine.dmw_code = per_month.dmw_code
            and per_month.first_month <= spine.month
    group by spine.year, spine.month, spine.dmw_code, spine.landsbond_code

),

counts as (

    select year, month, dmw_code, landsbond_code, 'USERS_REACHED' as norm_code, users_reached as numerator
    from accumulated
    union all
    select year, month, dmw_code, landsbond_code, 'USERS_BEGELEIDING' as norm_code, users_begeleiding as numerator
    from accumulated
    union all
    select year, month, dmw_code, landsbond_code, 'USERS_ERGO' as norm_code, users_ergo as numerator
    from accumulated
    union all
    select year, month, dmw_code, landsbond_code, 'USERS_HANDICAP_DEMENTIA' as norm_code, users_handicap_dementia as numerator
    from accumulated

),

shares as (

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        'ZORGBEHOEFTE_SHARE' as norm_code,
        users_zorgbehoefte as numerator,
        users_reached as denominator

    from accumulated

    union all

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        'BEGELEIDING_ACTIVE_CONSULTATION' as norm_code,
        users_begeleiding - users_without_consultation as numerator,
        users_begeleiding as denominator

    from accumulated

),

final as (

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        norm_code,
        cast(numerator as decimal(18, 6)) as achieved,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator

    from counts

    union all

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        norm_code,
        cast(
            case when denominator = 0 then null else cast(numerator as decimal(18, 6)) / denominator end
            as decimal(18, 6)
        ) as achieved,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator,
        cast(denominator as {{ dbt.type_bigint() }}) as denominator

    from shares

)

select * from final
