with

source as (

    select * from {{ source('raw', 'right_renewals') }}

),

renamed as (

    select
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(right_year as {{ dbt.type_int() }}) as right_year,
        cast(outcome as {{ dbt.type_string() }}) as outcome,
        cast(decided_on as date) as decided_on,
        cast(letter_sent_on as date) as letter_sent_on,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
