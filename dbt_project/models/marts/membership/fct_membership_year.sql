-- SPEC §5 membership, grain year x ziekenfonds plus the landsbond total (ziekenfonds_code 'ALL').
-- Every ziekenfonds of the seed gets a row in every loaded year (zeros, not missing rows), so a
-- 12-month delta is null only when Y-1 is not loaded. The ALL row sums its ziekenfondsen for the
-- stocks (each lid is assigned to exactly one ziekenfonds per date) and recomputes the shares from
-- the sums. zorgkas_leden and zorgkas_active_dossiers of ALL follow §5 literally (every person or
-- dossier of the own zorgkas); the ziekenfonds rows split them by the person's ziekenfonds on 31/12,
-- so ALL also holds zorgkas members who were not leden on that date.
with

reporting_years as (

    select
        year,
        reference_date

    from {{ ref('int_reporting_years') }}

),

ziekenfondsen as (

    select ziekenfonds_code

    from {{ ref('ziekenfondsen') }}

),

national_totals as (

    select
        year,
        national_leden,
        national_titularissen,
        status

    from {{ ref('national_insured_totals') }}

),

members as (

    select
        year,
        person_pseudonym,
        ziekenfonds_code,
        is_titularis,
        has_vt,
        is_in_several_ziekenfondsen

    from {{ ref('int_members_assigned_at_year_end') }}

),

spine as (

    select
        reporting_years.year,
        reporting_years.reference_date,
        ziekenfondsen.ziekenfonds_code

    from reporting_years
    cross join ziekenfondsen

),

member_counts as (

    select
        year,
        ziekenfonds_code,
        count(*) as leden,
        sum(case when is_titularis then 1 else 0 end) as titularissen,
        sum(case when has_vt then 1 else 0 end) as vt_leden,
        sum(case when is_in_several_ziekenfondsen then 1 else 0 end) as leden_in_several_ziekenfondsen

    from members
    group by
        year,
        ziekenfonds_code

),

-- The zorgkas members and the active dossiers, counted alike per ziekenfonds (and per year below).
-- ziekenfonds_code is null for zorgkas members and dossiers of persons who are no lid on 31/12.
{%- set zorgkas_counts = [
    ('zorgkas_member_counts', 'int_zorgkas_members_covered_at_year_end', 'zorgkas_leden'),
    ('zorgkas_dossier_counts', 'int_zorgkas_dossiers_covered_at_year_end', 'zorgkas_active_dossiers'),
] %}
{%- for counts, covered, count_column in zorgkas_counts %}

{{ counts }} as (

    select
        covered.year,
        members.ziekenfonds_code,
        count(*) as {{ count_column }}

    from {{ ref(covered) }} as covered
    left join members
        on
            covered.year = members.year
            and covered.person_pseudonym = members.person_pseudonym
    group by
        covered.year,
        members.ziekenfonds_code

),
{%- endfor %}

per_ziekenfonds as (

    select
        spine.year,
        spine.reference_date,
        spine.ziekenfonds_code,
        coalesce(member_counts.leden, 0) as leden,
        coalesce(member_counts.titularissen, 0) as titularissen,
        coalesce(member_counts.vt_leden, 0) as vt_leden,
        coalesce(zorgkas_member_counts.zorgkas_leden, 0) as zorgkas_leden,
        coalesce(zorgkas_dossier_counts.zorgkas_active_dossiers, 0) as zorgkas_active_dossiers,
        coalesce(member_counts.leden_in_several_ziekenfondsen, 0) as leden_in_several_ziekenfondsen

    from spine
    {%- for counts in ['member_counts', 'zorgkas_member_counts', 'zorgkas_dossier_counts'] %}
    left join {{ counts }}
        on
            spine.year = {{ counts }}.year
            and spine.ziekenfonds_code = {{ counts }}.ziekenfonds_code
    {%- endfor %}

),

{%- for counts, covered, count_column in zorgkas_counts %}

{{ counts }}_total as (

    select
        reporting_years.year,
        coalesce(sum({{ counts }}.{{ count_column }}), 0) as {{ count_column }}

    from reporting_years
    left join {{ counts }}
        on reporting_years.year = {{ counts }}.year
    group by reporting_years.year

),
{%- endfor %}

landsbond_total as (

    select
        per_ziekenfonds.year,
        per_ziekenfonds.reference_date,
        'ALL' as ziekenfonds_code,
        sum(per_ziekenfonds.leden) as leden,
        sum(per_ziekenfonds.titularissen) as titularissen,
        sum(per_ziekenfonds.vt_leden) as vt_leden,
        min(zorgkas_member_counts_total.zorgkas_leden) as zorgkas_leden,
        min(zorgkas_dossier_counts_total.zorgkas_active_dossiers) as zorgkas_active_dossiers,
        sum(per_ziekenfonds.leden_in_several_ziekenfondsen) as leden_in_several_ziekenfondsen

    from per_ziekenfonds
    {%- for counts, covered, count_column in zorgkas_counts %}
    inner join {{ counts }}_total
        on per_ziekenfonds.year = {{ counts }}_total.year
    {%- endfor %}
    group by
        per_ziekenfonds.year,
        per_ziekenfonds.reference_date

),

stocks as (

    select * from per_ziekenfonds
    union all
    select * from landsbond_total

),

final as (

    select
        cast(stocks.year as {{ dbt.type_int() }}) as year,
        cast(stocks.reference_date as date) as reference_date,
        cast(stocks.ziekenfonds_code as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(stocks.leden as {{ dbt.type_bigint() }}) as leden,
        cast(stocks.leden - previous.leden as {{ dbt.type_bigint() }}) as leden_delta_12m,
        cast(stocks.titularissen as {{ dbt.type_bigint() }}) as titularissen,
        cast(stocks.titularissen - previous.titularissen as {{ dbt.type_bigint() }}) as titularissen_delta_12m,
        cast(stocks.vt_leden as {{ dbt.type_bigint() }}) as vt_leden,
        cast(stocks.vt_leden - previous.vt_leden as {{ dbt.type_bigint() }}) as vt_leden_delta_12m,
        cast(
            case when stocks.leden > 0 then 1.0 * stocks.vt_leden / stocks.leden end as decimal(9, 6)
        ) as vt_share,
        cast(
            case
                when national_totals.national_leden > 0
                    then 1.0 * stocks.leden / national_totals.national_leden
            end as decimal(9, 6)
        ) as market_share_leden,
        cast(
            case
                when national_totals.national_titularissen > 0
                    then 1.0 * stocks.titularissen / national_totals.national_titularissen
            end as decimal(9, 6)
        ) as market_share_titularissen,
        cast(stocks.zorgkas_leden as {{ dbt.type_bigint() }}) as zorgkas_leden,
        cast(stocks.zorgkas_active_dossiers as {{ dbt.type_bigint() }}) as zorgkas_active_dossiers,
        cast(national_totals.national_leden as {{ dbt.type_bigint() }}) as national_leden,
        cast(national_totals.national_titularissen as {{ dbt.type_bigint() }}) as national_titularissen,
        cast(national_totals.status as {{ dbt.type_string() }}) as national_totals_status,
        cast(stocks.leden_in_several_ziekenfondsen as {{ dbt.type_bigint() }}) as leden_in_several_ziekenfondsen

    from stocks
    left join stocks as previous
        on
            stocks.year - 1 = previous.year
            and stocks.ziekenfonds_code = previous.ziekenfonds_code
    left join national_totals
        on stocks.year = national_totals.year

)

select * from final
