-- Year-to-date figures of the further checks of Zorginspectie on the DMW data per month, erkende DMW
-- and landsbond (sums over its DMW: advices, contracts and staff are not persons counted twice):
--   HOUSING_ADVICE_PRACTICE   WONINGAANPASSING advices so far with home visit by an ergotherapeut
--                             / those advices (004 §2.3.5).
--   ALARM_PLACEMENT_COST_MAX  contracts started so far in the year with a placement cost above the
--                             year's maximum (004 §2.3.7, N09); null (not measurable) when the
--                             maximum of the year is missing in seed dmw_alarm_placement_cost_max.
--   ALARM_REDUCTION_ENTITLED  contracts active so far whose holder had VT on the start date with a
--                             reduced contribution / those contracts (004 §2.3.7 N07, R01).
--   STAFF_QUALIFICATION       guidance staff hired since hired_from, employed on the month's last
--                             day, with a recognised qualification / those staff (004 §2.2.2, N11):
--                             a state on that day, not a year-to-date count.
with

advices as (

    select
        year,
        dmw_code,
        extract(month from advice_date) as event_month,
        is_compliant

    from {{ ref('int_dmw_housing_advice_checked') }}

),

placements as (

    select
        year,
        dmw_code,
        start_month as event_month,
        is_within_max

    from {{ ref('int_dmw_alarm_placements_checked') }}

),

entitled as (

    select
        year,
        dmw_code,
        first_active_month as event_month,
        reduced_contribution

    from {{ ref('int_dmw_alarm_entitlement_checked') }}

),

staff as (

    select
        year,
        month,
        dmw_code,
        is_compliant

    from {{ ref('int_dmw_staff_qualification_checked') }}

),

placement_maximum as (

    select year from {{ ref('dmw_alarm_placement_cost_max') }}

),

spine as (

    {{ dmw_month_spine(dmw_only=true) }}

),

advices_counted as (

    {{ dmw_counted_by_month('advices', {
        'advices': 'count(advices.dmw_code)',
        'advices_compliant': 'sum(case when advices.is_compliant then 1 else 0 end)',
    }) }}

),

placements_counted as (

    {{ dmw_counted_by_month('placements', {
        'placements_above_max': 'sum(case when not placements.is_within_max then 1 else 0 end)',
    }) }}

),

entitled_counted as (

    {{ dmw_counted_by_month('entitled', {
        'contracts_entitled': 'count(entitled.dmw_code)',
        'contracts_entitled_reduced': 'sum(case when entitled.reduced_contribution then 1 else 0 end)',
    }) }}

),

staff_counted as (

    {{ dmw_counted_by_month('staff', {
        'staff_in_scope': 'count(staff.dmw_code)',
        'staff_qualified': 'sum(case when staff.is_compliant then 1 else 0 end)',
    }, month_column='month', cumulative=false) }}

),

dmw_measures as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        advices_counted.advices,
        coalesce(advices_counted.advices_compliant, 0) as advices_compliant,
        coalesce(placements_counted.placements_above_max, 0) as placements_above_max,
        entitled_counted.contracts_entitled,
        coalesce(entitled_counted.contracts_entitled_reduced, 0) as contracts_entitled_reduced,
        staff_counted.staff_in_scope,
        coalesce(staff_counted.staff_qualified, 0) as staff_qualified

    from spine
    {%- for counted in ['advices_counted', 'placements_counted', 'entitled_counted', 'staff_counted'] %}
    inner join {{ counted }}
        on
            spine.year = {{ counted }}.year
            and spine.month = {{ counted }}.month
            and spine.dmw_code = {{ counted }}.dmw_code
    {%- endfor %}

),

measures as (

    {{ dmw_with_landsbond_totals('dmw_measures', [
        'advices', 'advices_compliant', 'placements_above_max', 'contracts_entitled',
        'contracts_entitled_reduced', 'staff_in_scope', 'staff_qualified',
    ]) }}

),

-- ALARM_PLACEMENT_COST_MAX is not measurable (null) in a year without a maximum in the seed.
measures_checked as (

    select
        measures.year,
        measures.month,
        measures.dmw_code,
        measures.landsbond_code,
        measures.advices,
        measures.advices_compliant,
        case when placement_maximum.year is not null then measures.placements_above_max end as placements_above_max,
        measures.contracts_entitled,
        measures.contracts_entitled_reduced,
        measures.staff_in_scope,
        measures.staff_qualified

    from measures
    left join placement_maximum
        on measures.year = placement_maximum.year

),

final as (

    {{ dmw_norm_rows([
        {'code': 'HOUSING_ADVICE_PRACTICE', 'from': 'measures_checked',
         'numerator': 'advices_compliant', 'denominator': 'advices'},
        {'code': 'ALARM_PLACEMENT_COST_MAX', 'from': 'measures_checked', 'numerator': 'placements_above_max'},
        {'code': 'ALARM_REDUCTION_ENTITLED', 'from': 'measures_checked',
         'numerator': 'contracts_entitled_reduced', 'denominator': 'contracts_entitled'},
        {'code': 'STAFF_QUALIFICATION', 'from': 'measures_checked',
         'numerator': 'staff_qualified', 'denominator': 'staff_in_scope'},
    ]) }}

)

select * from final
