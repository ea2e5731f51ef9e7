-- The records behind the further inspection checks that do not comply, per erkende DMW and year,
-- for the file review of Zorginspectie (pseudonyms, never INSZ):
--   BEGELEIDING_ACTIVE_CONSULTATION  begeleiding registrations without active consultation (004 §2.3.2)
--   HOUSING_ADVICE_PRACTICE          WONINGAANPASSING advices without home visit or not by an
--                                    ergotherapeut (004 §2.3.5)
--   ALARM_PLACEMENT_COST_MAX         contracts started in the year with a placement cost above the
--                                    year's maximum (004 §2.3.7, N09)
--   ALARM_REDUCTION_ENTITLED         contracts of holders with VT on the start date without reduced
--                                    contribution (004 §2.3.7 N07, R01)
--   STAFF_QUALIFICATION              guidance staff hired since 2020-01-01, employed on 31/12/Y,
--                                    without a recognised qualification (004 §2.2.2, N11)
-- The same records the year's norm counts (fct_dmw_norm_year): only DMW in scope of the year.
with

registrations as (

    select
        cast(extract(year from registered_on) as {{ dbt.type_int() }}) as year,
        dmw_code,
        'BEGELEIDING_ACTIVE_CONSULTATION' as norm_code,
        registration_id as record_id,
        person_pseudonym,
        registered_on as record_date,
        typemodule || ' registration without active consultation' as finding

    from {{ ref('stg_dmw_registrations__registrations') }}
    where
        typemodule in ('TRAJECTBEGELEIDING', 'PSYCHOSOCIAAL_VERLIES', 'ZORGBEGELEIDING_COMPLEX', 'ERGOTHERAPEUTISCH')
        and not active_consultation

),

advices as (

    select
        year,
        dmw_code,
        'HOUSING_ADVICE_PRACTICE' as norm_code,
        advice_id as record_id,
        person_pseudonym,
        advice_date as record_date,
        finding

    from {{ ref('int_dmw_housing_advice_checked') }}
    where not is_compliant

),

placements as (

    select
        year,
        dmw_code,
        'ALARM_PLACEMENT_COST_MAX' as norm_code,
        contract_id as record_id,
        person_pseudonym,
        start_date as record_date,
        'placement cost ' || cast(placement_cost as {{ dbt.type_string() }}) || ' EUR above the maximum of '
        || cast(max_placement_cost_eur as {{ dbt.type_string() }}) || ' EUR' as finding

    from {{ ref('int_dmw_alarm_placements_checked') }}
    where not is_within_max

),

entitled as (

    select
        year,
        dmw_code,
        'ALARM_REDUCTION_ENTITLED' as norm_code,
        contract_id as record_id,
        person_pseudonym,
        start_date as record_date,
        'VT since ' || cast(vt_since as {{ dbt.type_string() }}) || ', no reduced contribution' as finding

    from {{ ref('int_dmw_alarm_entitlement_checked') }}
    where not reduced_contribution

),

staff as (

    select
        year,
        dmw_code,
        'STAFF_QUALIFICATION' as norm_code,
        staff_id as record_id,
        cast(null as {{ dbt.type_string() }}) as person_pseudonym,
        hired_on as record_date,
        role || ' hired ' || cast(hired_on as {{ dbt.type_string() }}) || ': ' || finding as finding

    from {{ ref('int_dmw_staff_qualification_checked') }}
    where month = 12 and not is_compliant

),

all_findings as (

    select * from registrations
    union all
    select * from advices
    union all
    select * from placements
    union all
    select * from entitled
    union all
    select * from staff

),

findings as (

    {{ dmw_rows_in_scope('all_findings', ['norm_code', 'record_id', 'person_pseudonym', 'record_date', 'finding']) }}

),

final as (

    select
        cast(findings.year as {{ dbt.type_int() }}) as year,
        cast(findings.dmw_code as {{ dbt.type_string() }}) as dmw_code,
        cast(findings.landsbond_code as {{ dbt.type_string() }}) as landsbond_code,
        cast(findings.norm_code as {{ dbt.type_string() }}) as norm_code,
        cast(findings.record_id as {{ dbt.type_string() }}) as record_id,
        cast(findings.person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(findings.record_date as date) as record_date,
        cast(findings.finding as {{ dbt.type_string() }}) as finding

    from findings

)

select * from final
