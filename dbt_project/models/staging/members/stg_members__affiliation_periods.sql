with

source as (

    select * from {{ source('raw', 'members') }}

),

renamed as (

    select
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(birth_date as date) as birth_date,
        cast(sex as {{ dbt.type_string() }}) as sex,
        cast(postcode as {{ dbt.type_string() }}) as postcode,
        cast(ziekenfonds_code as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(member_type as {{ dbt.type_string() }}) as member_type,
        cast(titularis_pseudonym as {{ dbt.type_string() }}) as titularis_pseudonym,
        cast(affiliation_start as date) as affiliation_start,
        cast(affiliation_end as date) as affiliation_end,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
