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

user_rows as (

    {{ dmw_and_landsbond_rows('users', [
        'person_pseudonym', 'first_registered_on', 'first_begeleiding_on', 'first_ergo_on',
        'first_handicap_dementia_on', 'first_zorgbehoefte_on', 'first_begeleiding_without_consultation_on',
    ]) }}

),

-- One row per person and DMW (already so for a DMW) or landsbond: a person helped by two of its DMW
-- qualifies for the landsbond from the earlier date.
scoped_users as (

    select
        year,
        dmw_code,
        landsbond_code,
        person_pseudonym,
        min(first_registered_on) as first_registered_on,
        min(first_begeleiding_on) as first_begeleiding_on,
        min(first_ergo_on) as first_ergo_on,
        min(first_handicap_dementia_on) as first_handicap_dementia_on,
        min(first_zorgbehoefte_on) as first_zorgbehoefte_on,
        min(first_begeleiding_without_consultation_on) as first_begeleiding_without_consultation_on

    from user_rows
    group by year, dmw_code, landsbond_code, person_pseudonym

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

    {{ dmw_month_spine() }}

),

accumulated as (

    {%- set measures = {} %}
    {%- for measure in [
        'USERS_REACHED', 'USERS_BEGELEIDING', 'USERS_ERGO', 'USERS_HANDICAP_DEMENTIA',
        'USERS_ZORGBEHOEFTE', 'USERS_WITHOUT_CONSULTATION',
    ] %}
    {%- do measures.update({
        measure | lower: "sum(case when per_month.measure = '" ~ measure ~ "' then per_month.users else 0 end)"
    }) %}
    {%- endfor %}

    {{ dmw_counted_by_month('per_month', measures, month_column='first_month') }}

),

final as (

    {{ dmw_norm_rows([
        {'code': 'USERS_REACHED', 'from': 'accumulated', 'numerator': 'users_reached'},
        {'code': 'USERS_BEGELEIDING', 'from': 'accumulated', 'numerator': 'users_begeleiding'},
        {'code': 'USERS_ERGO', 'from': 'accumulated', 'numerator': 'users_ergo'},
        {'code': 'USERS_HANDICAP_DEMENTIA', 'from': 'accumulated', 'numerator': 'users_handicap_dementia'},
        {'code': 'ZORGBEHOEFTE_SHARE', 'from': 'accumulated',
         'numerator': 'users_zorgbehoefte', 'denominator': 'users_reached'},
        {'code': 'BEGELEIDING_ACTIVE_CONSULTATION', 'from': 'accumulated',
         'numerator': 'users_begeleiding - users_without_consultation', 'denominator': 'users_begeleiding'},
    ]) }}

)

select * from final
