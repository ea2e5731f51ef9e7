with

source as (

    select * from {{ source('raw', 'staff_departments') }}

),

renamed as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(fte as decimal(18, 2)) as fte,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
