-- SPEC §6 staff_fte.csv: every year of fct_staff_fte_year has exactly one total row, and its fte
-- equals the sum of that year's department rows, i.e. the total printed last in the export is the
-- sum of the departments printed above it (never a reported total that disagrees with them).
with

staff as (

    select * from {{ ref('fct_staff_fte_year') }}

),

per_year as (

    select
        year,
        sum(case when is_total then 1 else 0 end) as total_rows,
        sum(case when is_total then fte else 0 end) as total_fte,
        sum(case when is_total then 0 else fte end) as department_fte

    from staff
    group by year

)

select * from per_year
where total_rows <> 1 or total_fte <> department_fte
