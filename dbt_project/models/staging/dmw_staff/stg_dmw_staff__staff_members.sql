with

source as (

    select * from {{ source('raw', 'dmw_staff') }}

),

renamed as (

    select
        cast(staff_id as {{ dbt.type_string() }}) as staff_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(fte as decimal(18, 2)) as fte,
        cast(hired_on as date) as hired_on,
        cast(left_on as date) as left_on,
        cast(dementia_training_on as date) as dementia_training_on,
        cast(nullif(upper(trim(qualification)), '') as {{ dbt.type_string() }}) as qualification,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
