-- Zorgkas quality indicators I1-I6 per year (SPEC §5): population, compliant rows and score =
-- compliant / population; score = 1 when the population is empty (flagged). Every zorgkas with at
-- least one indicator row in the year gets all six indicators; zorgkassen without any data in
-- the landing zone for the year have no computed scores (not even empty ones).
with

indicator_rows as (

    select
        year,
        zorgkas_code,
        indicator,
        compliant

    from {{ ref('int_zorgkas_indicator_rows') }}

),

scored_zorgkassen as (

    select distinct
        year,
        zorgkas_code

    from indicator_rows

),

indicators as (

    select
        weights.indicator,
        weights.weight,
        parameters.norm

    from {{ ref('zorgkas_indicator_weights') }} as weights
    inner join {{ ref('zorgkas_indicator_parameters') }} as parameters
        on weights.indicator = parameters.indicator

),

counted as (

    select
        year,
        zorgkas_code,
        indicator,
        count(*) as population,
        sum(case when compliant then 1 else 0 end) as compliant_count

    from indicator_rows
    group by year, zorgkas_code, indicator

),

grid as (

    select
        scored_zorgkassen.year,
        scored_zorgkassen.zorgkas_code,
        indicators.indicator,
        indicators.weight,
        indicators.norm

    from scored_zorgkassen
    cross join indicators

),

final as (

    select
        grid.year,
        grid.zorgkas_code,
        grid.indicator,
        grid.weight,
        cast(coalesce(counted.population, 0) as {{ dbt.type_bigint() }}) as population,
        cast(coalesce(counted.compliant_count, 0) as {{ dbt.type_bigint() }}) as compliant,
        cast(
            case
                when coalesce(counted.population, 0) = 0 then 1
                else round(cast(counted.compliant_count as decimal(18, 6)) / counted.population, 6)
            end as decimal(18, 6)
        ) as score,
        coalesce(counted.population, 0) = 0 as empty_population,
        grid.norm,
        -- exact comparison (compliant vs norm x population), not on the rounded score
        coalesce(counted.compliant_count < grid.norm * counted.population, false) as below_norm

    from grid
    left join counted
        on
            grid.year = counted.year
            and grid.zorgkas_code = counted.zorgkas_code
            and grid.indicator = counted.indicator

)

select * from final
