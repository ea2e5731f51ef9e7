{{ config(materialized='table') }}
-- Every DMW norm evaluated per reporting year, month (year-to-date), erkende DMW and landsbond
-- roll-up (SPEC §5). Month 12 is the year (fct_dmw_norm_year); the monitored months are
-- fct_dmw_norm_month. A table: both marts read it.
--   required           PER_VTE: parameter x vte of the DMW (or landsbond) and year; MAX_EUR: the
--                      year's maximum (seed dmw_alarm_price_max); otherwise the parameter.
--   pro_rata_required  PER_VTE and COUNT accumulate over the year: required x month / 12 (months,
--                      not days). SHARE, MAX_EUR and BOOLEAN are compared with the full
--                      requirement every month (a share or a price has no pro-rata).
--   met / on_track     achieved compared with required / pro_rata_required by the norm's
--                      comparator; a share is compared as numerator against required x
--                      denominator, exactly, so 0.5 is met at exactly 50 %. Not measurable
--                      (achieved null: a share 0 / 0, no alarm price) or required unknown
--                      (vte or maximum missing for the year) = not met.
with

measures as (

    select * from {{ ref('int_dmw_registration_norms_accumulated') }}
    union all
    select * from {{ ref('int_dmw_proactive_norms_accumulated') }}
    union all
    select * from {{ ref('int_dmw_housing_aid_norms_accumulated') }}
    union all
    select * from {{ ref('int_dmw_alarm_norms_accumulated') }}
    union all
    select * from {{ ref('int_dmw_staff_norms_accumulated') }}
    union all
    select * from {{ ref('int_dmw_inspection_norms_accumulated') }}

),

norms as (

    select
        norm_code,
        kind,
        comparator,
        parameter,
        applies_from,
        is_assumption,
        note

    from {{ ref('dmw_norms') }}

),

price_max as (

    select
        year,
        max_monthly_contribution_eur,
        is_assumption

    from {{ ref('dmw_alarm_price_max') }}

),

scopes as (

    select
        year,
        dmw_code,
        is_landsbond_total,
        vte,
        vte_is_assumption

    from {{ ref('int_dmw_scopes_enumerated') }}

),

months as (

    select
        year,
        month,
        is_monitored

    from {{ ref('int_dmw_months_enumerated') }}

),

joined as (

    select
        measures.year,
        measures.month,
        measures.dmw_code,
        measures.landsbond_code,
        measures.norm_code,
        norms.kind,
        norms.comparator,
        norms.parameter,
        scopes.vte,
        scopes.is_landsbond_total,
        months.is_monitored,
        measures.achieved,
        measures.numerator,
        measures.denominator,
        cast(
            case
                when norms.kind = 'PER_VTE' then norms.parameter * scopes.vte
                when norms.kind = 'MAX_EUR' then price_max.max_monthly_contribution_eur
                else norms.parameter
            end as decimal(18, 6)
        ) as required,
        norms.applies_from is null
        or measures.year >= extract(year from norms.applies_from) as is_applicable,
        case
            when norms.kind = 'PER_VTE' then norms.is_assumption or scopes.vte_is_assumption
            when norms.kind = 'MAX_EUR' then coalesce(price_max.is_assumption, false)
            else norms.is_assumption
        end as is_assumption,
        case
            when norms.kind = 'PER_VTE' and scopes.vte is null then 'vte of the year missing in seed dmw_vte'
            when norms.kind = 'MAX_EUR' and price_max.year is null
                then 'maximum of the year missing in seed dmw_alarm_price_max'
            when measures.norm_code = 'ALARM_PLACEMENT_COST_MAX' and measures.achieved is null
                then 'maximum placement cost of the year missing in seed dmw_alarm_placement_cost_max'
        end as required_missing_reason,
        nullif(
            case when norms.is_assumption then 'parameter: ' || coalesce(norms.note, 'working assumption.') || ' ' else '' end
            || case
                when norms.kind = 'PER_VTE' and scopes.vte_is_assumption
                    then 'vte ' || cast(measures.year as {{ dbt.type_string() }})
                    || ': assumption (seed dmw_vte, copy of the 2024 decree); '
                else ''
            end
            || case
                when norms.kind = 'MAX_EUR' and price_max.is_assumption
                    then 'maximum ' || cast(measures.year as {{ dbt.type_string() }})
                    || ': assumption (seed dmw_alarm_price_max, copy of the 2024 maximum); '
                else ''
            end,
            ''
        ) as assumption_note

    from measures
    inner join norms
        on measures.norm_code = norms.norm_code
    inner join scopes
        on
            measures.year = scopes.year
            and measures.dmw_code = scopes.dmw_code
    inner join months
        on
            measures.year = months.year
            and measures.month = months.month
    left join price_max
        on measures.year = price_max.year

),

targeted as (

    select
        *,
        cast(
            case
                when kind in ('PER_VTE', 'COUNT') then required * month / 12
                else required
            end as decimal(18, 6)
        ) as pro_rata_required

    from joined

),

evaluated as (

    select
        year,
        month,
        dmw_code,
        landsbond_code,
        norm_code,
        kind,
        comparator,
        parameter,
        vte,
        required,
        pro_rata_required,
        achieved,
        numerator,
        denominator,
        {{ dmw_norm_met('required') }} as met,
        {{ dmw_norm_met('pro_rata_required') }} as on_track,
        kind in ('SHARE', 'MAX_EUR') and achieved is null as denominator_zero,
        is_applicable,
        is_assumption,
        assumption_note,
        required_missing_reason,
        is_landsbond_total,
        is_monitored

    from targeted

)

select * from evaluated
