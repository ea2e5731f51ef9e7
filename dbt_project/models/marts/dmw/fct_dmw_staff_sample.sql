-- A reproducible random sample of staff files per erkende DMW and year following the sample-size
-- rule of Zorginspectie (004 §1.2.4.2; seed dmw_inspection_sampling, S01-S04): among the staff
-- employed on 31/12/Y who are eligible for a rule, the first sample_size in the order of
-- md5(random_seed|rule_code|year|staff_id). The hash is dbt.hash (md5 as hex text on DuckDB and
-- PostgreSQL alike), so the same data and seed draw the same sample on any adapter. A staff
-- member drawn by two rules appears once per rule.
with

staff as (

    select
        staff_id,
        dmw_code,
        role,
        hired_on,
        left_on

    from {{ ref('stg_dmw_staff__staff_members') }}

),

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        vte

    from {{ ref('int_dmw_scopes_enumerated') }}
    where not is_landsbond_total

),

rules as (

    select * from {{ ref('dmw_inspection_sampling') }}

),

employed as (

    select
        reporting_years.year,
        staff.dmw_code,
        staff.staff_id,
        staff.role,
        staff.hired_on,
        case
            when staff.role = 'LEIDINGGEVENDE' then 'LEIDINGGEVENDE'
            when staff.role in ('MAATSCHAPPELIJK_WERKER', 'ERGOTHERAPEUT') then 'BEGELEIDING'
        end as role_group

    from staff
    inner join reporting_years
        on
            {{ period_covers('staff.hired_on', 'staff.left_on', 'reporting_years.reference_date') }}

),

eligible as (

    select
        employed.year,
        employed.dmw_code,
        scopes.landsbond_code,
        employed.staff_id,
        employed.role,
        rules.rule_code,
        rules.sample_size,
        rules.reason_selected,
        {{ dmw_sample_draw_key('employed.year', 'employed.staff_id') }} as draw_key

    from employed
    inner join scopes
        on
            employed.year = scopes.year
            and employed.dmw_code = scopes.dmw_code
    inner join rules
        on
            employed.role_group = rules.role_group
            and (rules.hired_from is null or employed.hired_on >= rules.hired_from)
            and (rules.vte_above is null or scopes.vte > rules.vte_above)
            and (rules.vte_up_to is null or scopes.vte <= rules.vte_up_to)

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, dmw_code, rule_code
            order by draw_key, staff_id
        ) as sample_rank

    from eligible

),

final as (

    select
        {{ dmw_sample_key_columns() }}
        cast(staff_id as {{ dbt.type_string() }}) as staff_id,
        cast(role as {{ dbt.type_string() }}) as role,
        cast(reason_selected as {{ dbt.type_string() }}) as reason_selected

    from ranked
    where sample_rank <= sample_size

)

select * from final
