-- One row per personal-alarm contract and reporting year in which it is active on at least one day
-- (SPEC §5: a period [start, end] covers a day D when start <= D and (end is null or D <= end)).
-- first_active_month is the month of the year from which the contract counts year-to-date: 1 for a
-- contract running on 1 January, else the month it starts in.
with

contracts as (

    select * from {{ ref('stg_dmw_personal_alarms__alarm_contracts') }}

),

reporting_years as (

    select
        year,
        cast(cast(year as {{ dbt.type_string() }}) || '-01-01' as date) as year_start,
        reference_date as year_end

    from {{ ref('int_reporting_years') }}

),

annualised as (

    select
        reporting_years.year,
        contracts.dmw_code,
        contracts.contract_id,
        contracts.person_pseudonym,
        contracts.device_type,
        contracts.start_date,
        contracts.end_date,
        cast(
            case
                when contracts.start_date < reporting_years.year_start then 1
                else extract(month from contracts.start_date)
            end as {{ dbt.type_int() }}
        ) as first_active_month,
        contracts.monthly_contribution,
        contracts.reduced_contribution,
        contracts.reduction_automatic,
        contracts.placement_cost,
        contracts.deposit

    from contracts
    inner join reporting_years
        on
            contracts.start_date <= reporting_years.year_end
            and (contracts.end_date is null or contracts.end_date >= reporting_years.year_start)

)

select * from annualised
