with

source as (

    select * from {{ source('raw', 'dmw_aid_loans') }}

),

renamed as (

    select
        cast(loan_id as {{ dbt.type_string() }}) as loan_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(aid_type as {{ dbt.type_string() }}) as aid_type,
        cast(loan_date as date) as loan_date,
        cast(advice_given as {{ dbt.type_boolean() }}) as advice_given,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
