-- The reporting years that are loaded (SPEC §5: a 12-month delta is null when Y-1 is not loaded):
-- every year for which the landing zone holds the year's own flows (premiums, zorgkas payments,
-- DMW registrations, ledgers, staff). Never narrowed to the years a run publishes (`mutwh run
-- --years` picks export partitions): Y-1 stays computed for the 12-month deltas. Stocks cannot say
-- which years were loaded: membership periods exist for any date, and the dossier file carries every dossier still in force, decided as far back as 2013,
-- so counting decision years made ten years "loaded" whose premiums and payments are not there.
with

activity_years as (

    select contribution_year as year from {{ ref('stg_contributions__contributions') }}
    union
    select extract(year from for_month) as year from {{ ref('stg_zorgkas_payments__payments') }}
    union
    select extract(year from registered_on) as year from {{ ref('stg_dmw_registrations__registrations') }}
    union
    select year from {{ ref('stg_finance_ledger__ledger_lines') }}
    union
    select year from {{ ref('stg_staff_departments__department_fte') }}

),

years as (

    select distinct cast(year as {{ dbt.type_int() }}) as year
    from activity_years
    where year is not null

),

final as (

    select
        year,
        cast(cast(year as {{ dbt.type_string() }}) || '-12-31' as date) as reference_date
    from years

)

select * from final
