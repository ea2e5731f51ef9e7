with

source as (

    select * from {{ source('raw', 'dmw_personal_alarms') }}

),

renamed as (

    select
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(device_type as {{ dbt.type_string() }}) as device_type,
        cast(start_date as date) as start_date,
        cast(end_date as date) as end_date,
        cast(monthly_contribution as decimal(18, 2)) as monthly_contribution,
        cast(reduced_contribution as {{ dbt.type_boolean() }}) as reduced_contribution,
        cast(reduction_automatic as {{ dbt.type_boolean() }}) as reduction_automatic,
        cast(placement_cost as decimal(18, 2)) as placement_cost,
        cast(deposit as decimal(18, 2)) as deposit,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
