{% macro dmw_guidance_staff_by_month(columns) %}
{#- The staff with a guidance task (role MAATSCHAPPELIJK_WERKER or ERGOTHERAPEUT) employed at the end
    of every month of the reporting years (month 12 = the reference date 31/12/Y): one row per staff
    member and month with year, month, reference_date, dmw_code, staff_id, role, hired_on, left_on and
    the given columns of stg_dmw_staff__staff_members. -#}
    select
        dmw_months.year,
        dmw_months.month,
        dmw_months.month_end as reference_date,
        dmw_staff.dmw_code,
        dmw_staff.staff_id,
        dmw_staff.role,
        dmw_staff.hired_on,
        dmw_staff.left_on,
        {%- for column in columns %}
        dmw_staff.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

    from {{ ref('stg_dmw_staff__staff_members') }} as dmw_staff
    inner join {{ ref('int_dmw_months_enumerated') }} as dmw_months
        on {{ period_covers('dmw_staff.hired_on', 'dmw_staff.left_on', 'dmw_months.month_end') }}
    where dmw_staff.role in ('MAATSCHAPPELIJK_WERKER', 'ERGOTHERAPEUT')
{% endmacro %}
