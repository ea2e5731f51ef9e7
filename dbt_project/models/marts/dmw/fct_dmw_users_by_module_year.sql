-- Users per typemodule, erkende DMW and year, and among them those with a handicap or (suspected)
-- dementia (SPEC §5 user definitions). 004 §2.3.2 found that no landsbond could give these figures
-- per typemodule (O28). A user is counted once per DMW, year and module, so a user in two modules
-- appears in both; the modules do not add up to USERS_REACHED. Finer than a whole DMW: the export
-- replaces counts below 5 by '<5' (SPEC §6).
with

registrations as (

    select
        cast(extract(year from registered_on) as {{ dbt.type_int() }}) as year,
        dmw_code,
        typemodule,
        person_pseudonym,
        handicap,
        dementia

    from {{ ref('stg_dmw_registrations__registrations') }}

),

scoped_registrations as (

    {{ dmw_rows_in_scope('registrations', ['typemodule', 'person_pseudonym', 'handicap', 'dementia']) }}

),

module_users as (

    select
        year,
        dmw_code,
        landsbond_code,
        typemodule,
        person_pseudonym,
        max(case when handicap or dementia <> 'NONE' then 1 else 0 end) as has_handicap_dementia

    from scoped_registrations
    group by year, dmw_code, landsbond_code, typemodule, person_pseudonym

),

scoped as (

    select year, dmw_code, landsbond_code, typemodule, has_handicap_dementia, false as is_landsbond_total
    from module_users
    union all
    select
        year,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        typemodule,
        has_handicap_dementia,
        true as is_landsbond_total
    from module_users

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(landsbond_code as {{ dbt.type_string() }}) as landsbond_code,
        cast(typemodule as {{ dbt.type_string() }}) as typemodule,
        cast(count(*) as {{ dbt.type_bigint() }}) as users,
        cast(sum(has_handicap_dementia) as {{ dbt.type_bigint() }}) as users_handicap_dementia,
        cast(is_landsbond_total as {{ dbt.type_boolean() }}) as is_landsbond_total

    from scoped
    group by year, dmw_code, landsbond_code, typemodule, is_landsbond_total

)

select * from final
