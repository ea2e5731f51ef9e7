with

source as (

    select * from {{ source('raw', 'vt_periods') }}

),

renamed as (

    select
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
