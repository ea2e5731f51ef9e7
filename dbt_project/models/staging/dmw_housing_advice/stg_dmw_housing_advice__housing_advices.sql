with

source as (

    select * from {{ source('raw', 'dmw_housing_advice') }}

),

renamed as (

    select
        cast(advice_id as {{ dbt.type_string() }}) as advice_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(advice_date as date) as advice_date,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(home_visit as {{ dbt.type_boolean() }}) as home_visit,
        cast(advisor_role as {{ dbt.type_string() }}) as advisor_role,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
