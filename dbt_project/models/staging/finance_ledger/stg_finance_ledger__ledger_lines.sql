with

source as (

    select * from {{ source('raw', 'finance_ledger') }}

),

renamed as (

    select
        cast(entity as {{ dbt.type_string() }}) as entity,
        cast(rubric as {{ dbt.type_string() }}) as rubric,
        cast(year as {{ dbt.type_int() }}) as year,
        cast(amount_eur as decimal(18, 2)) as amount_eur,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
