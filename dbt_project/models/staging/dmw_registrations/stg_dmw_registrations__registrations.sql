with

source as (

    select * from {{ source('raw', 'dmw_registrations') }}

),

renamed as (

    select
        cast(registration_id as {{ dbt.type_string() }}) as registration_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(registered_on as date) as registered_on,
        cast(typemodule as {{ dbt.type_string() }}) as typemodule,
        cast(handicap as {{ dbt.type_boolean() }}) as handicap,
        cast(dementia as {{ dbt.type_string() }}) as dementia,
        cast(zorgbehoefte as {{ dbt.type_boolean() }}) as zorgbehoefte,
        cast(active_consultation as {{ dbt.type_boolean() }}) as active_consultation,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
