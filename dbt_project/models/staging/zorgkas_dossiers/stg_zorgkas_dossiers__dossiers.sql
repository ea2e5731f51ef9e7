with

source as (

    select * from {{ source('raw', 'zorgkas_dossiers') }}

),

renamed as (

    select
        cast(dossier_id as {{ dbt.type_string() }}) as dossier_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(zorgkas_code as {{ dbt.type_string() }}) as zorgkas_code,
        cast(pillar as {{ dbt.type_string() }}) as pillar,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(residence as {{ dbt.type_string() }}) as residence,
        cast(received_on as date) as received_on,
        cast(decided_on as date) as decided_on,
        cast(decision as {{ dbt.type_string() }}) as decision,
        cast(right_start as date) as right_start,
        cast(right_end as date) as right_end,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
