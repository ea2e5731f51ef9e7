-- SPEC §6 staff_fte: the landing table staff_departments holds department rows and, when it is a
-- transcription of a printed table, possibly the printed total ("Totaal aantal"). A total is not a
-- department: it is recognised by its label (Totaal..., Total, Total ...), kept apart as a
-- reported total and never added to the departments. fct_staff_fte_year computes its own total
-- from the departments; the reported one is only compared (the 2023 report prints 4768 while its
-- departments sum to 4769).
with

department_fte as (

    select
        year,
        department,
        fte

    from {{ ref('stg_staff_departments__department_fte') }}

),

classified as (

    select
        year,
        department,
        fte,
        (
            lower(trim(department)) like 'totaal%'
            or lower(trim(department)) = 'total'
            or lower(trim(department)) like 'total %'
        ) as is_reported_total

    from department_fte

)

select * from classified
