-- The landsbond roll-up rows (LB_<code>) follow the roll-up rules of fct_dmw_norm_year:
-- user counts (USERS_*) are distinct persons (004 §2.3.1), so they lie between the largest DMW value
-- and the sum (a person helped by two DMW counts once); the user shares (ZORGBEHOEFTE_SHARE,
-- BEGELEIDING_ACTIVE_CONSULTATION) have numerator and denominator within the same bounds; other
-- PER_VTE counts, ALARM_NO_DEPOSIT and ALARM_PLACEMENT_COST_MAX are the sum of the DMW's; other SHARE
-- numerators and denominators are sums (the share is recomputed, not averaged); distinct counts (COUNT) lie between the
-- largest DMW value and the sum; ALARM_PRICE_MAX is the highest and ALARM_REDUCTION_OFFERED the
-- lowest DMW value; the landsbond's vte is the sum of its DMW's.
with

norm_year as (

    select * from {{ ref('fct_dmw_norm_year') }}

),

dmw_totals as (

    select
        year,
        landsbond_code,
        norm_code,
        sum(achieved) as sum_achieved,
        max(achieved) as max_achieved,
        min(achieved) as min_achieved,
        count(achieved) as dmw_with_value,
        count(*) as dmw_count,
        sum(numerator) as sum_numerator,
        sum(denominator) as sum_denominator,
        max(numerator) as max_numerator,
        max(denominator) as max_denominator,
        sum(vte) as sum_vte

    from norm_year
    where not is_landsbond_total
    group by year, landsbond_code, norm_code

),

landsbond as (

    select * from norm_year
    where is_landsbond_total

),

violations as (

    select
        landsbond.year,
        landsbond.dmw_code,
        landsbond.norm_code,
        landsbond.achieved,
        landsbond.numerator,
        landsbond.denominator,
        dmw_totals.sum_achieved,
        dmw_totals.sum_numerator,
        dmw_totals.sum_denominator

    from landsbond
    inner join dmw_totals
        on
            landsbond.year = dmw_totals.year
            and landsbond.landsbond_code = dmw_totals.landsbond_code
            and landsbond.norm_code = dmw_totals.norm_code
    where
        (landsbond.vte is not null and landsbond.vte <> dmw_totals.sum_vte)
        or (
            landsbond.norm_code in ('USERS_REACHED', 'USERS_BEGELEIDING', 'USERS_ERGO', 'USERS_HANDICAP_DEMENTIA')
            and (landsbond.achieved < dmw_totals.max_achieved or landsbond.achieved > dmw_totals.sum_achieved)
        )
        or (
            landsbond.norm_code in ('ZORGBEHOEFTE_SHARE', 'BEGELEIDING_ACTIVE_CONSULTATION')
            and (
                landsbond.denominator < dmw_totals.max_denominator
                or landsbond.denominator > dmw_totals.sum_denominator
                or landsbond.numerator > dmw_totals.sum_numerator
            )
        )
        or (
            (
                (landsbond.kind = 'PER_VTE' and landsbond.norm_code not like 'USERS%')
                or landsbond.norm_code in ('ALARM_NO_DEPOSIT', 'ALARM_PLACEMENT_COST_MAX')
            )
            and landsbond.achieved <> dmw_totals.sum_achieved
        )
        or (
            landsbond.kind = 'SHARE'
            and landsbond.norm_code not in ('ZORGBEHOEFTE_SHARE', 'BEGELEIDING_ACTIVE_CONSULTATION')
            and (
                landsbond.numerator <> dmw_totals.sum_numerator
                or landsbond.denominator <> dmw_totals.sum_denominator
            )
        )
        or (
            landsbond.kind = 'COUNT'
            and (landsbond.achieved < dmw_totals.max_achieved or landsbond.achieved > dmw_totals.sum_achieved)
        )
        or (
            landsbond.norm_code = 'ALARM_PRICE_MAX'
            and dmw_totals.dmw_with_value = dmw_totals.dmw_count
            and landsbond.achieved <> dmw_totals.max_achieved
        )
        or (
            landsbond.norm_code = 'ALARM_PRICE_MAX'
            and dmw_totals.dmw_with_value < dmw_totals.dmw_count
            and landsbond.achieved is not null
        )
        or (landsbond.norm_code = 'ALARM_REDUCTION_OFFERED' and landsbond.achieved <> dmw_totals.min_achieved)

)

select * from violations
