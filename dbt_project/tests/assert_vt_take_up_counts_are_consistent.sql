-- SPEC §5b: within a row, converted and mailed-with-VT persons are disjoint parts of the mailed,
-- reminders are part of the mailed, not-mailed candidates part of the candidates; across
-- indicators, a mailed person has one indicator (ALL = sum) and a candidate at least one (ALL
-- between the largest indicator and the sum); the rate is converted_12m / mailed.
with

take_up as (

    select * from {{ ref('fct_vt_take_up_year') }}

),

indicator_sums as (

    select
        year,
        ziekenfonds_code,
        sum(mailed) as mailed,
        sum(candidates) as candidates,
        max(candidates) as largest_candidates

    from take_up
    where indicator <> 'ALL'
    group by year, ziekenfonds_code

),

row_problems as (

    select
        year,
        ziekenfonds_code,
        indicator

    from take_up
    where
        converted_12m + mailed_with_vt > mailed
        or reminders > mailed
        or not_mailed_candidates > candidates
        or (mailed = 0 and conversion_rate is not null)
        or (mailed > 0 and abs(conversion_rate - 1.0 * converted_12m / mailed) > 0.000001)

),

indicator_problems as (

    select
        take_up.year,
        take_up.ziekenfonds_code,
        take_up.indicator

    from take_up
    inner join indicator_sums
        on
            take_up.year = indicator_sums.year
            and take_up.ziekenfonds_code = indicator_sums.ziekenfonds_code
    where
        take_up.indicator = 'ALL'
        and (
            take_up.mailed <> indicator_sums.mailed
            or take_up.candidates > indicator_sums.candidates
            or take_up.candidates < indicator_sums.largest_candidates
        )

)

select * from row_problems
union all
select * from indicator_problems
