-- Qualification of the staff with a guidance task (MAATSCHAPPELIJK_WERKER, ERGOTHERAPEUT) hired on
-- or after hired_from of norm STAFF_QUALIFICATION in seed dmw_norms (2020-01-01, 004 §2.2.2, N11),
-- evaluated at the end of every month of the reporting years (month 12 = 31/12/Y), like the
-- dementia training. One row per staff member employed on that day; compliant when the
-- qualification is in seed dmw_recognised_qualifications. No qualification registered (an older
-- dmw_staff file without the optional column) is not compliant: the diploma is not shown.
with

staff as (

    {{ dmw_guidance_staff_by_month(['qualification']) }}

),

norm as (

    select hired_from
    from {{ ref('dmw_norms') }}
    where norm_code = 'STAFF_QUALIFICATION'

),

recognised as (

    select upper(trim(qualification_code)) as qualification_code
    from {{ ref('dmw_recognised_qualifications') }}

),

evaluated as (

    select
        staff.year,
        staff.month,
        staff.reference_date,
        staff.dmw_code,
        staff.staff_id,
        staff.role,
        staff.hired_on,
        staff.qualification,
        recognised.qualification_code is not null as is_compliant,
        case
            when staff.qualification is null then 'no qualification registered'
            when recognised.qualification_code is null
                then 'qualification ' || staff.qualification || ' not in seed dmw_recognised_qualifications'
        end as finding

    from staff
    cross join norm
    left join recognised
        on staff.qualification = recognised.qualification_code
    where staff.hired_on >= norm.hired_from

)

select * from evaluated
