-- SPEC §5 membership: every lid on 31/12/Y of a reporting year, once, with the ziekenfonds and
-- member type of the period that counts (chosen in int_ziekenfonds_at_year_end).
with

reporting_years as (

    select year

    from {{ ref('int_reporting_years') }}

),

ziekenfonds_at_year_end as (

    select
        year,
        reference_date,
        person_pseudonym,
        ziekenfonds_code,
        member_type,
        affiliation_start,
        affiliation_end,
        is_titularis,
        has_vt,
        covering_periods,
        is_in_several_ziekenfondsen

    from {{ ref('int_ziekenfonds_at_year_end') }}

),

final as (

    select ziekenfonds_at_year_end.*

    from ziekenfonds_at_year_end
    inner join reporting_years
        on ziekenfonds_at_year_end.year = reporting_years.year

)

select * from final
