-- SPEC §5b: the mailing list of the latest loaded year is exactly its not-mailed candidates, per
-- ziekenfonds (the list is the people behind that count).
with

latest_year as (

    select max(year) as year from {{ ref('int_reporting_years') }}

),

listed as (

    select
        ziekenfonds_code,
        count(*) as persons

    from {{ ref('fct_vt_mailing_list') }}
    group by ziekenfonds_code

),

counted as (

    select
        take_up.ziekenfonds_code,
        take_up.not_mailed_candidates

    from {{ ref('fct_vt_take_up_year') }} as take_up
    inner join latest_year
        on take_up.year = latest_year.year
    where take_up.indicator = 'ALL' and take_up.ziekenfonds_code <> 'ALL'

)

select
    counted.ziekenfonds_code,
    counted.not_mailed_candidates,
    coalesce(listed.persons, 0) as listed_persons

from counted
left join listed
    on counted.ziekenfonds_code = listed.ziekenfonds_code
where counted.not_mailed_candidates <> coalesce(listed.persons, 0)
