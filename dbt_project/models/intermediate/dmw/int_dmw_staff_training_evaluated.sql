-- Dementia training of the staff with a guidance task (SPEC §5 STAFF_DEMENTIA_TRAINING, 004
-- §2.2.5: training dementiekundige basiszorg within two years of hiring), evaluated at the end of
-- every month of the reporting years (month 12 = the reference date 31/12/Y). One row per staff
-- member with role MAATSCHAPPELIJK_WERKER or ERGOTHERAPEUT employed on the reference date.
-- The period (24 months) is period_months of the norm in seed dmw_norms. A training date before
-- hiring counts as trained in time (the person arrived trained).
with

staff as (

    {{ dmw_guidance_staff_by_month(['dementia_training_on']) }}

),

norm as (

    select period_months
    from {{ ref('dmw_norms') }}
    where norm_code = 'STAFF_DEMENTIA_TRAINING'

),

employed as (

    select
        staff.year,
        staff.month,
        staff.reference_date,
        staff.dmw_code,
        staff.staff_id,
        staff.role,
        staff.hired_on,
        staff.left_on,
        staff.dementia_training_on,
        cast({{ dbt.dateadd('month', 'norm.period_months', 'staff.hired_on') }} as date) as training_due_on,
        cast({{ dbt.dateadd('month', '-1 * norm.period_months', 'staff.reference_date') }} as date)
            as hired_by_for_scope

    from staff
    cross join norm

),

evaluated as (

    select
        year,
        month,
        reference_date,
        dmw_code,
        staff_id,
        role,
        hired_on,
        left_on,
        training_due_on,
        dementia_training_on,
        hired_on <= hired_by_for_scope as is_in_scope,
        coalesce(
            hired_on <= hired_by_for_scope
            and dementia_training_on <= training_due_on
            and dementia_training_on <= reference_date,
            false
        ) as is_compliant,
        case
            when hired_on <= hired_by_for_scope then
                case
                    when dementia_training_on is null or dementia_training_on > reference_date then 'NOT_TRAINED'
                    when dementia_training_on <= training_due_on then 'TRAINED_IN_TIME'
                    else 'TRAINED_LATE'
                end
            when dementia_training_on is not null and dementia_training_on <= reference_date
                then 'GRACE_PERIOD_TRAINED'
            else 'GRACE_PERIOD_NOT_YET_TRAINED'
        end as reason

    from employed

)

select * from evaluated
