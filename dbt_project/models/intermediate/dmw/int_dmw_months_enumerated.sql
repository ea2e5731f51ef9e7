-- Months of each reporting year for the DMW monitoring (SPEC §5, fct_dmw_norm_month). Every year
-- gets all twelve months (the year figures are those of month 12); is_monitored marks the months
-- that have elapsed in the data: all twelve for a year followed by later DMW activity, and up to
-- the month of the latest DMW activity for the year the data end in. Pro-rata targets count months,
-- not days (month / 12), so February of a leap year weighs 2/12 like any other February.
with

reporting_years as (

    select year from {{ ref('int_reporting_years') }}

),

months as (

    {{ dbt.generate_series(12) }}

),

activity_dates as (

    select registered_on as activity_on from {{ ref('stg_dmw_registrations__registrations') }}
    union all
    select action_date as activity_on from {{ ref('stg_dmw_proactive_actions__proactive_actions') }}
    union all
    select advice_date as activity_on from {{ ref('stg_dmw_housing_advice__housing_advices') }}
    union all
    select loan_date as activity_on from {{ ref('stg_dmw_aid_loans__aid_loans') }}

),

data_through as (

    select max(activity_on) as data_through_on
    from activity_dates

),

enumerated as (

    select
        reporting_years.year,
        cast(months.generated_number as {{ dbt.type_int() }}) as month,
        cast(
            {{ dbt.dateadd(
                'month',
                'months.generated_number - 1',
                "cast(cast(reporting_years.year as " ~ dbt.type_string() ~ ") || '-01-01' as date)"
            ) }} as date
        ) as month_start,
        data_through.data_through_on

    from reporting_years
    cross join months
    cross join data_through

),

final as (

    select
        year,
        month,
        month_start,
        cast({{ dbt.last_day('month_start', 'month') }} as date) as month_end,
        case
            when data_through_on is null then true
            when extract(year from data_through_on) <> year then true
            else month <= extract(month from data_through_on)
        end as is_monitored

    from enumerated

)

select * from final
