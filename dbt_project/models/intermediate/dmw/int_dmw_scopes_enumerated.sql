-- The units the DMW norms are reported for, per reporting year (SPEC §5): each erkende DMW of the
-- own landsbond (always, so that a DMW without any activity shows its norms as not met) plus any
-- other erkende DMW with activity in the year, and one roll-up row per landsbond with
-- dmw_code = 'LB_' || landsbond_code (e.g. LB_300) whose vte is the sum of its DMW's vte.
with

reporting_years as (

    select year from {{ ref('int_reporting_years') }}

),

erkende_dmw as (

    select
        dmw_code,
        landsbond_code

    from {{ ref('erkende_dmw') }}

),

own_landsbonden as (

    select landsbond_code
    from {{ ref('landsbonden') }}
    where is_own

),

dmw_vte as (

    select
        year,
        dmw_code,
        vte,
        is_assumption

    from {{ ref('dmw_vte') }}

),

activity as (

    select dmw_code, extract(year from registered_on) as year
    from {{ ref('stg_dmw_registrations__registrations') }}
    union
    select dmw_code, extract(year from action_date) as year
    from {{ ref('stg_dmw_proactive_actions__proactive_actions') }}
    union
    select dmw_code, extract(year from advice_date) as year
    from {{ ref('stg_dmw_housing_advice__housing_advices') }}
    union
    select dmw_code, extract(year from loan_date) as year
    from {{ ref('stg_dmw_aid_loans__aid_loans') }}

),

dmw_years as (

    select distinct
        reporting_years.year,
        erkende_dmw.dmw_code,
        erkende_dmw.landsbond_code

    from reporting_years
    cross join erkende_dmw
    left join own_landsbonden
        on erkende_dmw.landsbond_code = own_landsbonden.landsbond_code
    left join activity
        on
            erkende_dmw.dmw_code = activity.dmw_code
            and reporting_years.year = activity.year
    where
        own_landsbonden.landsbond_code is not null
        or activity.dmw_code is not null

),

dmw_scopes as (

    select
        dmw_years.year,
        dmw_years.dmw_code,
        dmw_years.landsbond_code,
        false as is_landsbond_total,
        cast(dmw_vte.vte as decimal(9, 2)) as vte,
        coalesce(dmw_vte.is_assumption, false) as vte_is_assumption

    from dmw_years
    left join dmw_vte
        on
            dmw_years.year = dmw_vte.year
            and dmw_years.dmw_code = dmw_vte.dmw_code

),

landsbond_scopes as (

    select
        year,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        true as is_landsbond_total,
        -- a landsbond's vte is only known when the vte of every one of its DMW is
        cast(case when count(vte) = count(*) then sum(vte) end as decimal(9, 2)) as vte,
        max(case when vte_is_assumption then 1 else 0 end) = 1 as vte_is_assumption

    from dmw_scopes
    group by year, landsbond_code

),

final as (

    select * from dmw_scopes
    union all
    select * from landsbond_scopes

)

select * from final
