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

scoped_staff as (

    {{ dmw_and_landsbond_rows('staff', ['month', 'is_compliant']) }}

),

spine as (

    {{ dmw_month_spine() }}

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

    {{ dmw_norm_rows([
        {'code': 'STAFF_DEMENTIA_TRAINING', 'from': 'counted',
         'numerator': 'staff_trained_in_time', 'denominator': 'staff_in_scope'},
    ]) }}

)

select * from final
