with

source as (

    select * from {{ source('raw', 'vt_mailings') }}

),

renamed as (

    select
        cast(mailing_id as {{ dbt.type_string() }}) as mailing_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(sent_on as date) as sent_on,
        cast(indicator as {{ dbt.type_string() }}) as indicator,
        cast(is_reminder as {{ dbt.type_boolean() }}) as is_reminder,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
