-- Key figures with the previous year beside them, as the jaarverslag prints them ("+26 818
-- (+0,8 %)"): the workbook of SPEC §6 annual_report shows value, value of Y-1, absolute and relative
-- change. Integer counts are cast before dividing (PostgreSQL divides integers to an integer).
-- key_figures.csv keeps its SPEC columns; only annual_report.xlsx reads this model.
with

key_figures as (

    select
        year,
        ziekenfonds_code,
        leden,
        leden_delta_12m,
        titularissen,
        titularissen_delta_12m,
        vt_leden,
        vt_leden_delta_12m,
        vt_share,
        zorgkas_leden,
        zorgkas_active_dossiers

    from {{ ref('fct_membership_year') }}

),

final as (

    select
        key_figures.year,
        key_figures.ziekenfonds_code,
        cast(previous_year.leden as {{ dbt.type_bigint() }}) as leden_previous_year,
        cast(
            cast(key_figures.leden_delta_12m as decimal(18, 6))
            / nullif(previous_year.leden, 0) as decimal(9, 6)
        ) as leden_change_share,
        cast(previous_year.titularissen as {{ dbt.type_bigint() }}) as titularissen_previous_year,
        cast(
            cast(key_figures.titularissen_delta_12m as decimal(18, 6))
            / nullif(previous_year.titularissen, 0) as decimal(9, 6)
        ) as titularissen_change_share,
        cast(previous_year.vt_leden as {{ dbt.type_bigint() }}) as vt_leden_previous_year,
        cast(
            cast(key_figures.vt_leden_delta_12m as decimal(18, 6))
            / nullif(previous_year.vt_leden, 0) as decimal(9, 6)
        ) as vt_leden_change_share,
        cast(previous_year.vt_share as decimal(9, 6)) as vt_share_previous_year,
        cast(previous_year.zorgkas_leden as {{ dbt.type_bigint() }}) as zorgkas_leden_previous_year,
        cast(
            key_figures.zorgkas_leden - previous_year.zorgkas_leden as {{ dbt.type_bigint() }}
        ) as zorgkas_leden_delta_12m,
        cast(
            cast(key_figures.zorgkas_leden - previous_year.zorgkas_leden as decimal(18, 6))
            / nullif(previous_year.zorgkas_leden, 0) as decimal(9, 6)
        ) as zorgkas_leden_change_share,
        cast(
            previous_year.zorgkas_active_dossiers as {{ dbt.type_bigint() }}
        ) as zorgkas_active_dossiers_previous_year,
        cast(
            key_figures.zorgkas_active_dossiers - previous_year.zorgkas_active_dossiers
            as {{ dbt.type_bigint() }}
        ) as zorgkas_active_dossiers_delta_12m,
        cast(
            cast(key_figures.zorgkas_active_dossiers - previous_year.zorgkas_active_dossiers as decimal(18, 6))
            / nullif(previous_year.zorgkas_active_dossiers, 0) as decimal(9, 6)
        ) as zorgkas_active_dossiers_change_share

    from key_figures
    left join key_figures as previous_year
        on
            key_figures.ziekenfonds_code = previous_year.ziekenfonds_code
            and key_figures.year - 1 = previous_year.year

)

select * from final
