-- Indicator I3, ZZB positive decisions with the correct start date (SPEC §5): every ZZB dossier
-- with decision POSITIEF decided in Y; expected start = first day of the month of received_on +
-- k months (k from seed zorgkas_indicator_parameters: THUIS 3, RESIDENTIEEL 1 by default). It
-- complies when right_start equals the expected start; a missing right_start does not comply.
with

decisions as (

    {{ zorgkas_zzb_positive_decisions([
        'dossier_id', 'person_pseudonym', 'zorgkas_code', 'residence', 'received_on', 'right_start',
    ]) }}

),

parameters as (

    select
        start_offset_months_thuis,
        start_offset_months_residentieel

    from {{ ref('zorgkas_indicator_parameters') }}
    where indicator = 'I3'

),

with_offset as (

    select
        decisions.*,
        case decisions.residence
            when 'THUIS' then parameters.start_offset_months_thuis
            when 'RESIDENTIEEL' then parameters.start_offset_months_residentieel
        end as start_offset_months

    from decisions
    cross join parameters

),

with_expected_start as (

    select
        *,
        cast(
            {{ dbt.dateadd('month', 'start_offset_months', dbt.date_trunc('month', 'received_on')) }} as date
        ) as expected_right_start

    from with_offset

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I3' as indicator,
        'dossier' as row_type,
        dossier_id as row_id,
        person_pseudonym,
        residence,
        received_on,
        right_start,
        expected_right_start,
        coalesce(right_start = expected_right_start, false) as compliant,
        case
            when right_start is null
                then 'positive decision without right_start (expected '
                    || cast(expected_right_start as {{ dbt.type_string() }}) || ')'
            when right_start <> expected_right_start
                then 'right starts ' || cast(right_start as {{ dbt.type_string() }})
                    || ', expected ' || cast(expected_right_start as {{ dbt.type_string() }})
                    || ' (received ' || cast(received_on as {{ dbt.type_string() }}) || ', ' || residence
                    || ' + ' || cast(start_offset_months as {{ dbt.type_string() }})
                    || case when start_offset_months = 1 then ' month)' else ' months)' end
        end as reason,
        source_file,
        source_row

    from with_expected_start

)

select * from evaluated
