with

source as (

    select * from {{ source('raw', 'dmw_proactive_actions') }}

),

renamed as (

    select
        cast(action_id as {{ dbt.type_string() }}) as action_id,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(target_group as {{ dbt.type_string() }}) as target_group,
        cast(action_date as date) as action_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(follow_up as {{ dbt.type_boolean() }}) as follow_up,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_source_row as {{ dbt.type_bigint() }}) as source_row

    from source

)

select * from renamed
