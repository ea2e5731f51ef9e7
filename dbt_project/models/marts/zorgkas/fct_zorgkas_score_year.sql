-- Global score of a zorgkas per year (SPEC §5): sum over the six indicators of weight x score.
with

indicators as (

    select * from {{ ref('fct_zorgkas_indicator_year') }}

),

final as (

    select
        year,
        zorgkas_code,
        cast(round(sum(weight * score), 6) as decimal(18, 6)) as global_score,
        cast(sum(case when below_norm then 1 else 0 end) as {{ dbt.type_int() }}) as indicators_below_norm,
        cast(sum(case when below_norm then weight else 0 end) as decimal(9, 4)) as weight_below_norm,
        cast(sum(case when empty_population then 1 else 0 end) as {{ dbt.type_int() }}) as empty_populations

    from indicators
    group by year, zorgkas_code

)

select * from final
