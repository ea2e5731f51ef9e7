-- SPEC §5: a share whose denominator is 0 is null and met is false, flagged. Also: nothing is met
-- without an achieved figure and a requirement, and a flagged row has no achieved figure.
with

norm_month as (

    select
        year,
        month,
        dmw_code,
        norm_code,
        kind,
        achieved_ytd as achieved,
        denominator_ytd as denominator,
        required,
        met_ytd as met,
        on_track,
        denominator_zero

    from {{ ref('fct_dmw_norm_month') }}

),

violations as (

    select * from norm_month
    where
        (denominator_zero and (achieved is not null or met or on_track))
        or (kind = 'SHARE' and denominator = 0 and not denominator_zero)
        or ((achieved is null or required is null) and (met or on_track))

)

select * from violations
