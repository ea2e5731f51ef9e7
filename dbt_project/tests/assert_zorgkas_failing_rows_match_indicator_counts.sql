-- The drill-down and the scores are one computation: per year, zorgkas and indicator the failing
-- rows number exactly population - compliant of fct_zorgkas_indicator_year.
with

failing as (

    select
        year,
        zorgkas_code,
        indicator,
        count(*) as failing_rows

    from {{ ref('fct_zorgkas_failing_rows') }}
    group by year, zorgkas_code, indicator

),

indicators as (

    select
        year,
        zorgkas_code,
        indicator,
        population - compliant as non_compliant

    from {{ ref('fct_zorgkas_indicator_year') }}

),

compared as (

    select
        coalesce(indicators.year, failing.year) as year,
        coalesce(indicators.zorgkas_code, failing.zorgkas_code) as zorgkas_code,
        coalesce(indicators.indicator, failing.indicator) as indicator,
        coalesce(indicators.non_compliant, 0) as non_compliant,
        coalesce(failing.failing_rows, 0) as failing_rows

    from indicators
    full outer join failing
        on
            indicators.year = failing.year
            and indicators.zorgkas_code = failing.zorgkas_code
            and indicators.indicator = failing.indicator

)

select * from compared
where non_compliant <> failing_rows
