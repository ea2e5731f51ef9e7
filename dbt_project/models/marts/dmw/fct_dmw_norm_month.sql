-- DMW erkenningsnormen month by month, cumulative year-to-date (SPEC §5), for the months that have
-- elapsed in the data: the monthly monitoring that replaces the Excel list of 004 §2.3.11.
with

evaluated as (

    select * from {{ ref('int_dmw_norms_evaluated') }}
    where is_monitored

),

final as (

    select
        {{ dmw_norm_key_columns(monthly=true) }}
        cast(required as decimal(18, 6)) as required,
        cast(pro_rata_required as decimal(18, 6)) as pro_rata_required,
        cast(achieved as decimal(18, 6)) as achieved_ytd,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator_ytd,
        cast(denominator as {{ dbt.type_bigint() }}) as denominator_ytd,
        cast(on_track as {{ dbt.type_boolean() }}) as on_track,
        cast(met as {{ dbt.type_boolean() }}) as met_ytd,
        cast(denominator_zero as {{ dbt.type_boolean() }}) as denominator_zero,
        cast(is_applicable as {{ dbt.type_boolean() }}) as is_applicable,
        cast(is_assumption as {{ dbt.type_boolean() }}) as is_assumption,
        cast(is_landsbond_total as {{ dbt.type_boolean() }}) as is_landsbond_total

    from evaluated

)

select * from final
