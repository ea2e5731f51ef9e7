-- Personal-alarm contracts active in a reporting year whose holder had verhoogde tegemoetkoming on
-- the contract's start date (vt_periods; a period covers a day D when start <= D and (end is null
-- or D <= end)), with whether the contract carries the reduced contribution (004 §2.3.7 N07 and
-- recommendation R01: the reduction for everyone entitled to it). One row per contract and year;
-- VT as the test of limited financial capacity is a working assumption (seed dmw_norms).
with

contracts as (

    select * from {{ ref('int_dmw_alarm_contracts_annualised') }}

),

vt_periods as (

    select
        person_pseudonym,
        start_date,
        end_date

    from {{ ref('stg_vt_periods__vt_periods') }}

),

{%- set contract_columns = [
    'year', 'dmw_code', 'contract_id', 'person_pseudonym', 'start_date', 'first_active_month',
    'reduced_contribution', 'reduction_automatic',
] %}

entitled as (

    select
        {%- for column in contract_columns %}
        contracts.{{ column }},
        {%- endfor %}
        max(vt_periods.start_date) as vt_since

    from contracts
    inner join vt_periods
        on
            contracts.person_pseudonym = vt_periods.person_pseudonym
            and {{ period_covers('vt_periods.start_date', 'vt_periods.end_date', 'contracts.start_date') }}
    group by
        {%- for column in contract_columns %}
        contracts.{{ column }}{{ ',' if not loop.last }}
        {%- endfor %}

)

select * from entitled
