-- Year-to-date figures of the norms on registrations (SPEC §5: USERS_REACHED, USERS_BEGELEIDING,
-- USERS_ERGO, USERS_HANDICAP_DEMENTIA, ZORGBEHOEFTE_SHARE) per month, erkende DMW and landsbond.
-- A landsbond's user counts are the sum of its DMW's (a user is counted once per DMW); its
-- zorgbehoefte share is recomputed from the summed numerator and denominator.
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
        users.first_registered_on,
        users.first_begeleiding_on,
        users.first_ergo_on,
        users.first_handicap_dementia_on,
        users.first_zorgbehoefte_on

    from users
    inner join scopes
        on
            users.year = scopes.year
            and users.dmw_code = scopes.dmw_code
            and not scopes.is_landsbond_total

),

scoped_users as (

    select * from dmw_users
    union all
    select
        year,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        first_registered_on,
        first_begeleiding_on,
        first_ergo_on,
        first_handicap_dementia_on,
        first_zorgbehoefte_on

    from dmw_users

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
        sum(case when per_month.measure = 'USERS_ZORGBEHOEFTE' then per_month.users else 0 end) as users_zorgbehoefte

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
        'ZORGBEHOEFTE_SHARE' as norm_code,
        cast(
            case when users_reached = 0 then null else cast(users_zorgbehoefte as decimal(18, 6)) / users_reached end
            as decimal(18, 6)
        ) as achieved,
        cast(users_zorgbehoefte as {{ dbt.type_bigint() }}) as numerator,
        cast(users_reached as {{ dbt.type_bigint() }}) as denominator

    from accumulated

)

select * from final
