-- Year-to-date figures of the personal-alarm norms (SPEC §5, 004 §2.3.7) per month, erkende DMW
-- and landsbond, over the contracts active on at least one day from 1 January to the month's end:
--   PERSONAL_ALARMS          active contracts (landsbond: sum).
--   ALARM_PRICE_MAX          lowest contribution among the device types, a type's contribution
--                            being the highest monthly_contribution of its contracts without a
--                            reduced contribution (a reduced contribution is not the type's price);
--                            denominator = those contracts, 0 = no price known (achieved null).
--                            Landsbond: the highest of its DMW's values, so the roll-up is met
--                            only when every DMW is (null when a DMW has no price).
--   ALARM_NO_DEPOSIT         active contracts with a deposit above 0 (landsbond: sum).
--   ALARM_REDUCTION_OFFERED  active contracts with a reduced contribution. Landsbond: the lowest
--                            of its DMW's counts, so the roll-up is met only when every DMW offers
--                            the reduction (004 counted the one DMW that did not, O43).
with

contracts as (

    select * from {{ ref('int_dmw_alarm_contracts_annualised') }}

),

spine as (

    {{ dmw_month_spine(dmw_only=true) }}

),

dmw_counts as (

    {{ dmw_counted_by_month('contracts', {
        'contracts_active': 'count(contracts.contract_id)',
        'contracts_with_deposit': 'sum(case when contracts.deposit > 0 then 1 else 0 end)',
        'contracts_reduced': 'sum(case when contracts.reduced_contribution then 1 else 0 end)',
        'contracts_standard': 'sum(case when not contracts.reduced_contribution then 1 else 0 end)',
    }, month_column='first_active_month') }}

),

device_type_prices as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        contracts.device_type,
        max(contracts.monthly_contribution) as device_type_contribution

    from spine
    inner join contracts
        on
            spine.year = contracts.year
            and spine.dmw_code = contracts.dmw_code
            and contracts.first_active_month <= spine.month
    where not contracts.reduced_contribution
    group by spine.year, spine.month, spine.dmw_code, contracts.device_type

),

lowest_prices as (

    select
        year,
        month,
        dmw_code,
        min(device_type_contribution) as lowest_contribution

    from device_type_prices
    group by year, month, dmw_code

),

dmw_measures as (

    select
        dmw_counts.year,
        dmw_counts.month,
        dmw_counts.dmw_code,
        dmw_counts.landsbond_code,
        dmw_counts.contracts_active,
        dmw_counts.contracts_with_deposit,
        dmw_counts.contracts_reduced,
        dmw_counts.contracts_standard,
        lowest_prices.lowest_contribution

    from dmw_counts
    left join lowest_prices
        on
            dmw_counts.year = lowest_prices.year
            and dmw_counts.month = lowest_prices.month
            and dmw_counts.dmw_code = lowest_prices.dmw_code

),

measures as (

    {{ dmw_with_landsbond_totals('dmw_measures', [
        'contracts_active', 'contracts_with_deposit', 'contracts_reduced', 'contracts_standard',
        'lowest_contribution',
    ], aggregates={
        'contracts_reduced': 'min(contracts_reduced)',
        'lowest_contribution':
            'case when count(lowest_contribution) = count(*) then max(lowest_contribution) end',
    }) }}

),

final as (

    {{ dmw_norm_rows([
        {'code': 'PERSONAL_ALARMS', 'from': 'measures', 'numerator': 'contracts_active'},
        {'code': 'ALARM_PRICE_MAX', 'from': 'measures',
         'achieved': 'lowest_contribution', 'denominator': 'contracts_standard'},
        {'code': 'ALARM_NO_DEPOSIT', 'from': 'measures', 'numerator': 'contracts_with_deposit'},
        {'code': 'ALARM_REDUCTION_OFFERED', 'from': 'measures', 'numerator': 'contracts_reduced'},
    ]) }}

)

select * from final
