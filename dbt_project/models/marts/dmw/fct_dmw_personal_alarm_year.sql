-- Informative figures on the personal-alarm contracts active in the year (SPEC §5, 004 §2.3.7),
-- per erkende DMW and landsbond roll-up: besides the norms (fct_dmw_norm_year) the share of reduced
-- contributions granted automatically. Not a norm: Zorginspectie found DMW where users had to
-- apply for the reduction themselves and recommends granting it automatically (004 §3, R01, O44).
with

contracts as (

    select * from {{ ref('int_dmw_alarm_contracts_annualised') }}

),

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        is_landsbond_total

    from {{ ref('int_dmw_scopes_enumerated') }}

),

scoped_contracts as (

    {{ dmw_and_landsbond_rows('contracts', ['reduced_contribution', 'reduction_automatic', 'deposit']) }}

),

counted as (

    select
        scopes.year,
        scopes.dmw_code,
        scopes.landsbond_code,
        scopes.is_landsbond_total,
        count(scoped_contracts.dmw_code) as contracts_active,
        sum(case when scoped_contracts.reduced_contribution then 1 else 0 end) as contracts_reduced,
        sum(
            case when scoped_contracts.reduced_contribution and scoped_contracts.reduction_automatic then 1 else 0 end
        ) as contracts_reduction_automatic,
        sum(case when scoped_contracts.deposit > 0 then 1 else 0 end) as contracts_with_deposit

    from scopes
    left join scoped_contracts
        on
            scopes.year = scoped_contracts.year
            and scopes.dmw_code = scoped_contracts.dmw_code
    group by scopes.year, scopes.dmw_code, scopes.landsbond_code, scopes.is_landsbond_total

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(landsbond_code as {{ dbt.type_string() }}) as landsbond_code,
        cast(contracts_active as {{ dbt.type_bigint() }}) as contracts_active,
        cast(coalesce(contracts_with_deposit, 0) as {{ dbt.type_bigint() }}) as contracts_with_deposit,
        cast(coalesce(contracts_reduced, 0) as {{ dbt.type_bigint() }}) as contracts_reduced,
        cast(coalesce(contracts_reduction_automatic, 0) as {{ dbt.type_bigint() }}) as contracts_reduction_automatic,
        cast(
            case
                when coalesce(contracts_reduced, 0) = 0 then null
                else cast(contracts_reduction_automatic as decimal(18, 6)) / contracts_reduced
            end as decimal(18, 6)
        ) as reduction_automatic_share,
        cast(is_landsbond_total as {{ dbt.type_boolean() }}) as is_landsbond_total

    from counted

)

select * from final
