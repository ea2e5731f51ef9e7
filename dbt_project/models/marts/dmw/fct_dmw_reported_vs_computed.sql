-- The figures a DMW reported in its jaarverslag (seed dmw_reported_figures) next to the figure the
-- warehouse computes from the registrations (fct_dmw_norm_year.achieved), with the difference and a
-- flag when it is above the tolerance of the norm's kind (seed dmw_reported_tolerance). 004 §2.3.2
-- and §2.3.5: at two landsbonden the jaarverslag did not match the registration system; §2.3.11:
-- the monthly monitoring of the reported norms. A reported figure without a computed one (no such
-- DMW, year or norm in the warehouse, or not measurable) is flagged too.
with

reported as (

    select
        year,
        dmw_code,
        norm_code,
        reported_value,
        source

    from {{ ref('dmw_reported_figures') }}

),

computed as (

    select
        year,
        dmw_code,
        norm_code,
        kind,
        achieved

    from {{ ref('fct_dmw_norm_year') }}

),

norms as (

    select
        norm_code,
        kind

    from {{ ref('dmw_norms') }}

),

tolerance as (

    select
        kind,
        tolerance

    from {{ ref('dmw_reported_tolerance') }}

),

compared as (

    select
        reported.year,
        reported.dmw_code,
        reported.norm_code,
        norms.kind,
        reported.reported_value,
        computed.achieved as computed_value,
        reported.reported_value - computed.achieved as difference,
        tolerance.tolerance,
        reported.source

    from reported
    left join norms
        on reported.norm_code = norms.norm_code
    left join computed
        on
            reported.year = computed.year
            and reported.dmw_code = computed.dmw_code
            and reported.norm_code = computed.norm_code
    left join tolerance
        on norms.kind = tolerance.kind

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as year,
        cast(dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(norm_code as {{ dbt.type_string() }}) as norm_code,
        cast(kind as {{ dbt.type_string() }}) as kind,
        cast(reported_value as decimal(18, 6)) as reported_value,
        cast(computed_value as decimal(18, 6)) as computed_value,
        cast(difference as decimal(18, 6)) as difference,
        cast(tolerance as decimal(18, 6)) as tolerance,
        cast(
            computed_value is null or tolerance is null or abs(difference) > tolerance
            as {{ dbt.type_boolean() }}
        ) as above_tolerance,
        cast(source as {{ dbt.type_string() }}) as source

    from compared

)

select * from final
