-- Every erkende DMW in scope and every landsbond roll-up has a row for each norm of seed dmw_norms
-- in each reporting year (SPEC §5: a DMW without activity shows its norms as not met, it does not
-- disappear), and the seed holds exactly the nineteen norm codes (the fourteen of SPEC §5 and the five
-- further inspection checks of 004 §2.2.2, §2.3.2, §2.3.5 and §2.3.7).
with

norms as (

    select count(*) as norm_count from {{ ref('dmw_norms') }}

),

scopes as (

    select
        year,
        dmw_code

    from {{ ref('int_dmw_scopes_enumerated') }}

),

reported as (

    select
        year,
        dmw_code,
        count(distinct norm_code) as norm_count

    from {{ ref('fct_dmw_norm_year') }}
    group by year, dmw_code

),

gaps as (

    select
        scopes.year,
        scopes.dmw_code,
        coalesce(reported.norm_count, 0) as reported_norms,
        norms.norm_count as expected_norms

    from scopes
    cross join norms
    left join reported
        on
            scopes.year = reported.year
            and scopes.dmw_code = reported.dmw_code
    where coalesce(reported.norm_count, 0) <> norms.norm_count

    union all

    select
        null as year,
        'seed dmw_norms' as dmw_code,
        norm_count as reported_norms,
        19 as expected_norms

    from norms
    where norm_count <> 19

)

select * from gaps
