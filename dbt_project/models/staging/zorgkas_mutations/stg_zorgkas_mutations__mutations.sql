with

source as (

    select * from {{ source('raw', 'zorgkas_mutations') }}

),

renamed as (

    select
        cast(mutation_id as {{ dbt.type_string() }}) as mutation_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(zorgkas_code as {{ dbt.type_string() }}) as zorgkas_code,
        cast(mutation_date as date) as mutation_date,
        cast(transmitted_on as date) as transmitted_on,
        cast(transmission_correct as {{ dbt.type_boolean() }}) as transmission_correct,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
