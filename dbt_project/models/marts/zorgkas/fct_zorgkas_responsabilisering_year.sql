-- Financial responsabilisering per outcome year and zorgkas (SPEC §5, §5a). The rule is INFERRED
-- from the published outcome (RESPONSABILISERING.md), not quoted from the regulation:
--   withheld(z) = sum over the indicators z is below norm on of weight_i x share(Y-1) x subsidy(z, Y)
--   received(z) = sum of withheld over all zorgkassen x subsidy(z, Y) / sum of subsidies
--   pot(z) = share(Y-1) x subsidy(z, Y); net = received - withheld
-- Two bases: computed (indicator outcomes of fct_zorgkas_indicator_year against the seed norm)
-- and published_replay (seed zorgkas_published_indicator_outcomes). Every zorgkas with a subsidy
-- in Y shares in the redistribution; one without outcomes is treated as not below norm.
with

indicator_outcomes as (

    select
        'computed' as basis,
        year,
        zorgkas_code,
        indicator,
        weight,
        below_norm

    from {{ ref('fct_zorgkas_indicator_year') }}

    union all

    select
        'published_replay' as basis,
        published.year,
        published.zorgkas_code,
        published.indicator,
        weights.weight,
        published.below_norm

    from {{ ref('zorgkas_published_indicator_outcomes') }} as published
    inner join {{ ref('zorgkas_indicator_weights') }} as weights
        on published.indicator = weights.indicator

),

outcomes_per_zorgkas as (

    select
        basis,
        year,
        zorgkas_code,
        sum(case when below_norm then 1 else 0 end) as indicators_below_norm,
        sum(case when below_norm then weight else 0 end) as weight_below_norm

    from indicator_outcomes
    group by basis, year, zorgkas_code

),

outcome_years as (

    select distinct
        basis,
        year

    from indicator_outcomes

),

shares as (

    select
        year,
        responsabilisering_share,
        is_assumption

    from {{ ref('zorgkas_responsabilisering_share') }}

),

subsidies as (

    select
        year,
        zorgkas_code,
        ledenbeheer_en_zzb_eur

    from {{ ref('zorgkas_werkingsmiddelen') }}

),

-- only years with a subsidy and a share of Y-1; then every zorgkas with a subsidy takes part
scope as (

    select
        outcome_years.basis,
        outcome_years.year,
        subsidies.zorgkas_code,
        subsidies.ledenbeheer_en_zzb_eur as subsidy_eur,
        shares.year as share_year,
        shares.responsabilisering_share,
        shares.is_assumption as share_is_assumption

    from outcome_years
    inner join subsidies
        on outcome_years.year = subsidies.year
    inner join shares
        on outcome_years.year - 1 = shares.year

),

withheld as (

    select
        scope.*,
        outcomes_per_zorgkas.zorgkas_code is not null as outcomes_known,
        coalesce(outcomes_per_zorgkas.indicators_below_norm, 0) as indicators_below_norm,
        coalesce(outcomes_per_zorgkas.weight_below_norm, 0) as weight_below_norm,
        cast(round(scope.responsabilisering_share * scope.subsidy_eur, 6) as decimal(18, 6)) as pot_eur,
        cast(
            round(
                coalesce(outcomes_per_zorgkas.weight_below_norm, 0)
                * scope.responsabilisering_share
                * scope.subsidy_eur,
                6
            ) as decimal(18, 6)
        ) as withheld_eur

    from scope
    left join outcomes_per_zorgkas
        on
            scope.basis = outcomes_per_zorgkas.basis
            and scope.year = outcomes_per_zorgkas.year
            and scope.zorgkas_code = outcomes_per_zorgkas.zorgkas_code

),

totals as (

    select
        *,
        sum(withheld_eur) over (partition by basis, year) as total_withheld_eur,
        sum(subsidy_eur) over (partition by basis, year) as total_subsidy_eur,
        row_number() over (partition by basis, year order by subsidy_eur desc, zorgkas_code) as subsidy_rank

    from withheld

),

pro_rata as (

    select
        *,
        cast(
            round(total_withheld_eur * subsidy_eur / nullif(total_subsidy_eur, 0), 6) as decimal(18, 6)
        ) as pro_rata_eur

    from totals

),

-- amounts are kept to the millionth of a euro; the rounding remainder of the pro-rata shares
-- goes to the zorgkas with the largest subsidy, so that the sum received equals the sum withheld
received as (

    select
        *,
        cast(
            case
                when subsidy_rank = 1
                    then total_withheld_eur - (sum(pro_rata_eur) over (partition by basis, year) - pro_rata_eur)
                else pro_rata_eur
            end as decimal(18, 6)
        ) as received_eur

    from pro_rata

),

scores as (

    select
        year,
        zorgkas_code,
        global_score

    from {{ ref('fct_zorgkas_score_year') }}

),

published as (

    select
        year,
        zorgkas_code,
        global_score,
        given_up_eur

    from {{ ref('zorgkas_published_results') }}

),

netted as (

    select
        received.year,
        received.zorgkas_code,
        received.basis,
        case
            when received.basis = 'computed' then scores.global_score
            else published.global_score
        end as global_score,
        received.pot_eur,
        received.withheld_eur,
        received.received_eur,
        cast(received.received_eur - received.withheld_eur as decimal(18, 6)) as net_eur,
        received.outcomes_known,
        received.indicators_below_norm,
        received.weight_below_norm,
        received.share_year,
        received.responsabilisering_share,
        received.share_is_assumption,
        received.subsidy_eur,
        published.given_up_eur as published_given_up_eur

    from received
    left join scores
        on
            received.year = scores.year
            and received.zorgkas_code = scores.zorgkas_code
    left join published
        on
            received.year = published.year
            and received.zorgkas_code = published.zorgkas_code

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        zorgkas_code,
        basis,
        cast(global_score as decimal(18, 6)) as global_score,
        pot_eur,
        withheld_eur,
        received_eur,
        net_eur,
        outcomes_known,
        cast(indicators_below_norm as {{ dbt.type_int() }}) as indicators_below_norm,
        cast(weight_below_norm as decimal(9, 4)) as weight_below_norm,
        cast(share_year as {{ dbt.type_int() }}) as share_year,
        responsabilisering_share,
        share_is_assumption,
        subsidy_eur,
        cast(case when net_eur < 0 then -net_eur else 0 end as decimal(18, 6)) as given_up_eur,
        published_given_up_eur,
        cast(
            case when net_eur < 0 then -net_eur else 0 end - published_given_up_eur as decimal(18, 6)
        ) as difference_to_published_eur,
        case
            when published_given_up_eur is null then null
            when round(case when net_eur < 0 then -net_eur else 0 end, 0) = published_given_up_eur
                then 'matches the published amount given up, to the euro'
            else 'differs from the published amount given up; the difference is not explained'
                || ' (perhaps slightly different base amounts, RESPONSABILISERING.md)'
        end as published_comparison

    from netted

)

select * from final
