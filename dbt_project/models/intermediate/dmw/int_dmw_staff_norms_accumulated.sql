-- STAFF_DEMENTIA_TRAINING per month, erkende DMW and landsbond (SPEC §5): staff in scope on the
-- month's last day (guidance task, employed, hired at least 24 months earlier) trained within 24
-- months of hiring / staff in scope. Unlike the activity norms this is a state on a reference
-- date, not a year-to-date count; month 12 gives the yearly figure on 31/12/Y. A landsbond's share
-- is recomputed from summed numerators and denominators; no staff in scope = 0 / 0 = null.
with

staff as (

    select * from {{ ref('int_dmw_staff_training_evaluated') }}
    where is_in_scope

),

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        is_landsbond_total

    from {{ ref('int_dmw_scopes_enumerated') }}

),

months as (

    select
        year,
        month

    from {{ ref('int_dmw_months_enumerated') }}

),

dmw_staff as (

    select
        staff.year,
        staff.month,
        staff.dmw_code,
        scopes.landsbond_code,
        staff.is_compliant

    from staff
    inner join scopes
        on
            staff.year = scopes.year
            and staff.dmw_code = scopes.dmw_code
            and not scopes.is_landsbond_total

),

scoped_staff as (

    select * from dmw_staff
    union all
    select
        year,
        month,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        is_compliant

    from dmw_staff

),

spine as (

    select
        months.year,
        months.month,
        scopes.dmw_code,
        scopes.landsbond_code

    from months
    inner join scopes
        on months.year = scopes.year

),

counted as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        count(scoped_staff.dmw_code) as staff_in_scope,
        sum(case when scoped_staff.is_compliant then 1 else 0 end) as staff_trained_in_time

    from spine
    left join scoped_staff
        on
            spine.year = scoped_staff.year
            and spine.month = scoped_staff.month
            and spine.dmw_code = scoped_staff.dmw_code
    group by spine.year, spine.month, spine.dmw_code, spine.landsbond_code

),

final as (

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        'STAFF_DEMENTIA_TRAINING' as norm_code,
        cast(
            case
                when staff_in_scope = 0 then null
                else cast(staff_trained_in_time as decimal(18, 6)) / staff_in_scope
            end as decimal(18, 6)
        ) as achieved,
        cast(staff_trained_in_time as {{ dbt.type_bigint() }}) as numerator,
        cast(staff_in_scope as {{ dbt.type_bigint() }}) as denominator

    from counted

)

select * from final
