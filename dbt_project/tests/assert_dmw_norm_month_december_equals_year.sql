-- The monthly monitoring and the yearly figures are one computation (SPEC §5): where December is
-- monitored, its year-to-date rows equal fct_dmw_norm_year.
with

december as (

    select * from {{ ref('fct_dmw_norm_month') }}
    where month = 12

),

yearly as (

    select * from {{ ref('fct_dmw_norm_year') }}

),

mismatches as (

    select
        december.year,
        december.dmw_code,
        december.norm_code,
        december.achieved_ytd,
        yearly.achieved,
        december.met_ytd,
        yearly.met

    from december
    left join yearly
        on
            december.year = yearly.year
            and december.dmw_code = yearly.dmw_code
            and december.norm_code = yearly.norm_code
    where
        yearly.norm_code is null
        or december.met_ytd <> yearly.met
        or coalesce(december.achieved_ytd, -1) <> coalesce(yearly.achieved, -1)
        or coalesce(december.required, -1) <> coalesce(yearly.required, -1)

)

select * from mismatches
