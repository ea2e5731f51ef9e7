-- Every personal-alarm contract started in a reporting year with its placement cost against the
-- yearly maximum of seed dmw_alarm_placement_cost_max (004 §2.3.7, N09: 'een plaatsingskost binnen
-- het wettelijke maximumbedrag'). The cost is charged at placement, so a contract is checked in the
-- year it starts. is_within_max is null when the maximum of the year is missing from the seed.
with

contracts as (

    select * from {{ ref('stg_dmw_personal_alarms__alarm_contracts') }}

),

reporting_years as (

    select year from {{ ref('int_reporting_years') }}

),

maximum as (

    select
        year,
        max_placement_cost_eur,
        is_assumption

    from {{ ref('dmw_alarm_placement_cost_max') }}

),

checked as (

    select
        reporting_years.year,
        contracts.dmw_code,
        contracts.contract_id,
        contracts.person_pseudonym,
        contracts.start_date,
        cast(extract(month from contracts.start_date) as {{ dbt.type_int() }}) as start_month,
        contracts.placement_cost,
        maximum.max_placement_cost_eur,
        maximum.is_assumption as maximum_is_assumption,
        contracts.placement_cost <= maximum.max_placement_cost_eur as is_within_max

    from contracts
    inner join reporting_years
        on extract(year from contracts.start_date) = reporting_years.year
    left join maximum
        on reporting_years.year = maximum.year

)

select * from checked
