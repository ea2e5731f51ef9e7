-- The staff behind STAFF_DEMENTIA_TRAINING (SPEC §5, 004 §2.2.5): every staff member with a
-- guidance task employed on 31/12/Y, whether the norm counts them (is_in_scope: hired at least
-- 24 months earlier) and why they comply or not. Staff ids only, no personal data.
with

staff_at_year_end as (

    select * from {{ ref('int_dmw_staff_training_evaluated') }}
    where month = 12

),

staff as (

    {{ dmw_rows_in_scope('staff_at_year_end', [
        'staff_id', 'role', 'reference_date', 'hired_on', 'training_due_on', 'dementia_training_on',
        'is_in_scope', 'is_compliant', 'reason',
    ]) }}

),

final as (

    select
        cast(staff.year as {{ dbt.type_int() }}) as year,
        cast(staff.dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(staff.landsbond_code as {{ dbt.type_string() }}) as landsbond_code,
        cast(staff.staff_id as {{ dbt.type_string() }}) as staff_id,
        cast(staff.role as {{ dbt.type_string() }}) as role,
        cast(staff.reference_date as date) as reference_date,
        cast(staff.hired_on as date) as hired_on,
        cast(staff.training_due_on as date) as training_due_on,
        cast(staff.dementia_training_on as date) as dementia_training_on,
        cast(staff.is_in_scope as {{ dbt.type_boolean() }}) as is_in_scope,
        cast(staff.is_compliant as {{ dbt.type_boolean() }}) as is_compliant,
        cast(staff.reason as {{ dbt.type_string() }}) as reason

    from staff

)

select * from final
