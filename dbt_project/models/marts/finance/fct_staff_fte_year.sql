-- SPEC §6 annual_report/staff_fte.csv: staff in vte per department and year plus one total row
-- (department 'Totaal', is_total) that is the sum of the department rows. A total printed in the
-- landing data is not a department: it only fills reported_total_fte on the total row, so that a
-- difference with the computed total stays visible (2023: printed 4768, departments 4769).
with

classified as (

    select
        year,
        department,
        fte,
        is_reported_total

    from {{ ref('int_staff_departments_classified') }}

),

departments as (

    select
        year,
        department,
        fte,
        false as is_total,
        cast(null as decimal(18, 2)) as reported_total_fte

    from classified
    where not is_reported_total

),

reported_totals as (

    select
        year,
        max(fte) as reported_total_fte

    from classified
    where is_reported_total
    group by year

),

years as (

    select distinct year from classified

),

totals as (

    select
        years.year,
        'Totaal' as department,
        coalesce(sum(departments.fte), 0) as fte,
        true as is_total,
        max(reported_totals.reported_total_fte) as reported_total_fte

    from years
    left join departments
        on years.year = departments.year
    left join reported_totals
        on years.year = reported_totals.year
    group by years.year

),

unioned as (

    select * from departments
    union all
    select * from totals

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(department as {{ dbt.type_string() }}) as department,
        cast(fte as decimal(18, 2)) as fte,
        cast(is_total as {{ dbt.type_boolean() }}) as is_total,
        cast(reported_total_fte as decimal(18, 2)) as reported_total_fte

    from unioned

)

select * from final
