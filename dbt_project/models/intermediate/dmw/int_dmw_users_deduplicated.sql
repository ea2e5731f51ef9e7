-- One row per user, DMW and year (SPEC §5: users are distinct persons, each counted once per DMW
-- and year, whatever the number of registrations or modules; 004 §2.3.1). The first date on which
-- the user qualified for each user norm is kept, so that a year-to-date count at the end of month
-- m is a count of users whose first date falls on or before that day. first_begeleiding_without_
-- consultation_on is the first begeleiding registration without active consultation (004 §2.3.2:
-- active consultation in every begeleiding dossier).
with

registrations as (

    select
        cast(extract(year from registered_on) as {{ dbt.type_int() }}) as year,
        dmw_code,
        person_pseudonym,
        registered_on,
        typemodule,
        handicap,
        dementia,
        zorgbehoefte,
        active_consultation

    from {{ ref('stg_dmw_registrations__registrations') }}

),

deduplicated as (

    select
        year,
        dmw_code,
        person_pseudonym,
        min(registered_on) as first_registered_on,
        min(
            case
                when typemodule in (
                    'TRAJECTBEGELEIDING', 'PSYCHOSOCIAAL_VERLIES', 'ZORGBEGELEIDING_COMPLEX', 'ERGOTHERAPEUTISCH'
                ) then registered_on
            end
        ) as first_begeleiding_on,
        min(case when typemodule = 'ERGOTHERAPEUTISCH' then registered_on end) as first_ergo_on,
        min(case when handicap or dementia <> 'NONE' then registered_on end) as first_handicap_dementia_on,
        min(case when zorgbehoefte then registered_on end) as first_zorgbehoefte_on,
        min(
            case
                when
                    typemodule in (
                        'TRAJECTBEGELEIDING', 'PSYCHOSOCIAAL_VERLIES', 'ZORGBEGELEIDING_COMPLEX', 'ERGOTHERAPEUTISCH'
                    )
                    and not active_consultation
                    then registered_on
            end
        ) as first_begeleiding_without_consultation_on,
        cast(count(*) as {{ dbt.type_bigint() }}) as registrations

    from registrations
    group by year, dmw_code, person_pseudonym

)

select * from deduplicated
