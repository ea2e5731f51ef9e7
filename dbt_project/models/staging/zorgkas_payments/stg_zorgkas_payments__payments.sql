with

source as (

    select * from {{ source('raw', 'zorgkas_payments') }}

),

renamed as (

    select
        cast(payment_id as {{ dbt.type_string() }}) as payment_id,
        cast(dossier_id as {{ dbt.type_string() }}) as dossier_id,
        cast(for_month as date) as for_month,
        cast(paid_on as date) as paid_on,
        cast(amount as decimal(18, 2)) as amount,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
