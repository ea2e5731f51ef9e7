-- DMW erkenningsnormen per year, erkende DMW (and landsbond roll-up LB_<code>) and norm (SPEC §5):
-- the year-to-date figures of month 12 of int_dmw_norms_evaluated.
with

evaluated as (

    select * from {{ ref('int_dmw_norms_evaluated') }}
    where month = 12

),

final as (

    select
        {{ dmw_norm_key_columns() }}
        cast(parameter as decimal(18, 6)) as parameter,
        cast(vte as decimal(9, 2)) as vte,
        cast(required as decimal(18, 6)) as required,
        cast(achieved as decimal(18, 6)) as achieved,
        cast(numerator as {{ dbt.type_bigint() }}) as numerator,
        cast(denominator as {{ dbt.type_bigint() }}) as denominator,
        cast(met as {{ dbt.type_boolean() }}) as met,
        cast(denominator_zero as {{ dbt.type_boolean() }}) as denominator_zero,
        cast(is_applicable as {{ dbt.type_boolean() }}) as is_applicable,
        cast(is_assumption as {{ dbt.type_boolean() }}) as is_assumption,
        cast(assumption_note as {{ dbt.type_string() }}) as assumption_note,
        cast(required_missing_reason as {{ dbt.type_string() }}) as required_missing_reason,
        cast(is_landsbond_total as {{ dbt.type_boolean() }}) as is_landsbond_total

    from evaluated

)

select * from final
