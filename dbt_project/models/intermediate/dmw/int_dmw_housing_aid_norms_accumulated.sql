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

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        is_landsbond_total

    from {{ ref('int_dmw_scopes_enumerated') }}

),

months as (

    select
        year,
        month

    from {{ ref('int_dmw_months_enumerated') }}

),

dmw_landsbond as (

    select
        year,
        dmw_code,
        landsbond_code

    from scopes
    where not is_landsbond_total

),

advices_per_month as (

    select
        advices.year,
        advices.dmw_code,
        dmw_landsbond.landsbond_code,
        extract(month from advices.advice_date) as advice_month,
        count(*) as advices

    from advices
    inner join dmw_landsbond
        on
            advices.year = dmw_landsbond.year
            and advices.dmw_code = dmw_landsbond.dmw_code
    group by advices.year, advices.dmw_code, dmw_landsbond.landsbond_code, extract(month from advices.advice_date)

),

scoped_advices_per_month as (

    select year, dmw_code, advice_month, advices from advices_per_month
    union all
    select year, 'LB_' || landsbond_code as dmw_code, advice_month, advices from advices_per_month

),

dmw_loans as (

    select
        loans.year,
        loans.dmw_code,
        dmw_landsbond.landsbond_code,
        loans.aid_type,
        loans.loan_date

    from loans
    inner join dmw_landsbond
        on
            loans.year = dmw_landsbond.year
            and loans.dmw_code = dmw_landsbond.dmw_code

),

scoped_loans as (

    select year, dmw_code, aid_type, loan_date from dmw_loans
    union all
    select year, 'LB_' || landsbond_code as dmw_code, aid_type, loan_date from dmw_loans

),

aid_types as (

    select
        year,
        dmw_code,
        aid_type,
        min(loan_date) as first_loan_on

    from scoped_loans
    group by year, dmw_code, aid_type

),

aid_types_per_month as (

    select
        year,
        dmw_code,
        extract(month from first_loan_on) as first_month,
        count(*) as aid_types

    from aid_types
    group by year, dmw_code, extract(month from first_loan_on)

),

spine as (

    select
        months.year,
        months.month,
        scopes.dmw_code,
        scopes.landsbond_code

    from months
    inner join scopes
        on months.year = scopes.year

),

advices_accumulated as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        coalesce(sum(scoped_advices_per_month.advices), 0) as advices

    from spine
    left join scoped_advices_per_month
        on
            spine.year = scoped_advices_per_month.year
            and spine.dmw_code = scoped_advices_per_month.dmw_code
            and scoped_advices_per_month.advice_month <= spine.month
    group by spine.year, spine.month, spine.dmw_code, spine.landsbond_code

),

aid_types_accumulated as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        coalesce(sum(aid_types_per_month.aid_types), 0) as aid_types

    from spine
    left join aid_types_per_month
        on
            spine.year = aid_types_per_month.year
            and spine.dmw_code = aid_types_per_month.dmw_code
            and aid_types_per_month.first_month <= spine.month
    group by spine.year, spine.month, spine.dmw_code, spine.landsbond_code

),

final as (

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        'HOUSING_ADVICE' as norm_code,
        cast(advices as decimal(18, 6)) as achieved,
        cast(advices as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator

    from advices_accumulated

    union all

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        'AID_TYPES' as norm_code,
        cast(aid_types as decimal(18, 6)) as achieved,
        cast(aid_types as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator

    from aid_types_accumulated

)

select * from final
