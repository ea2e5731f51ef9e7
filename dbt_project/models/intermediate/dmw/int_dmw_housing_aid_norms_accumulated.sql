-- Year-to-date figures of the woonondersteuning norms taken over from the regionale
-- dienstencentra (SPEC §5, 004 §2.3.5 and §2.3.6) per month, erkende DMW and landsbond:
-- HOUSING_ADVICE counts the housing advices (summed for a landsbond); AID_TYPES counts the
-- distinct aid types (trimmed, lower-cased) lent with advice, recomputed as distinct across the DMW
-- for a landsbond.
with

advices as (

    select
        cast(extract(year from advice_date) as {{ dbt.type_int() }}) as year,
        dmw_code,
        advice_date

    from {{ ref('stg_dmw_housing_advice__housing_advices') }}

),

loans as (

    select
        cast(extract(year from loan_date) as {{ dbt.type_int() }}) as year,
        dmw_code,
        lower(trim(aid_type)) as aid_type,
        loan_date

    from {{ ref('stg_dmw_aid_loans__aid_loans') }}
    where advice_given

),

scoped_advices as (

    {{ dmw_and_landsbond_rows('advices', ['advice_date']) }}

),

scoped_advices_per_month as (

    {{ dmw_per_event_month('scoped_advices', 'advice_date', 'advice_month', {'advices': 'count(*)'}) }}

),

scoped_loans as (

    {{ dmw_and_landsbond_rows('loans', ['aid_type', 'loan_date']) }}

),

aid_types_per_month as (

    {{ dmw_distinct_per_first_month('scoped_loans', 'aid_type', 'loan_date', 'aid_types') }}

),

spine as (

    {{ dmw_month_spine() }}

),

advices_accumulated as (

    {{ dmw_counted_by_month('scoped_advices_per_month', {
        'advices': 'coalesce(sum(scoped_advices_per_month.advices), 0)',
    }, month_column='advice_month') }}

),

aid_types_accumulated as (

    {{ dmw_counted_by_month('aid_types_per_month', {
        'aid_types': 'coalesce(sum(aid_types_per_month.aid_types), 0)',
    }, month_column='first_month') }}

),

final as (

    {{ dmw_norm_rows([
        {'code': 'HOUSING_ADVICE', 'from': 'advices_accumulated', 'numerator': 'advices'},
        {'code': 'AID_TYPES', 'from': 'aid_types_accumulated', 'numerator': 'aid_types'},
    ]) }}

)

select * from final
