with

source as (

    select * from {{ source('raw', 'contributions') }}

),

renamed as (

    select
        cast(contribution_id as {{ dbt.type_string() }}) as contribution_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(scheme as {{ dbt.type_string() }}) as scheme,
        cast(contribution_year as {{ dbt.type_int() }}) as contribution_year,
        cast(amount_due as decimal(18, 2)) as amount_due,
        cast(reduced as {{ dbt.type_boolean() }}) as reduced,
        cast(invited_on as date) as invited_on,
        cast(paid_on as date) as paid_on,
        cast(amount_paid as decimal(18, 2)) as amount_paid,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
