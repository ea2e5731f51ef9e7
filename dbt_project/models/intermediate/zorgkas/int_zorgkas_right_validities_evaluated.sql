-- Indicator I4, ZZB maximum validity not exceeded (SPEC §5): every ZZB dossier with decision
-- POSITIEF decided in Y that has a right_end; it complies when the right lasts at most
-- max_validity_months (seed zorgkas_indicator_parameters, default 60) counted from right_start to
-- right_end inclusive, i.e. right_end <= right_start + 60 months - 1 day (a right from
-- 2023-04-01 may end on 2028-03-31 at the latest). Without a right_start it cannot be measured
-- and does not comply.
with

decisions as (

    {{ zorgkas_zzb_positive_decisions(
        ['dossier_id', 'person_pseudonym', 'zorgkas_code', 'right_start', 'right_end'],
        where='right_end is not null',
    ) }}

),

parameters as (

    select max_validity_months
    from {{ ref('zorgkas_indicator_parameters') }}
    where indicator = 'I4'

),

with_latest_end as (

    select
        decisions.*,
        parameters.max_validity_months,
        cast(
            {{ dbt.dateadd('day', '-1', dbt.dateadd('month', 'parameters.max_validity_months', 'decisions.right_start')) }}
            as date
        ) as latest_allowed_end

    from decisions
    cross join parameters

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I4' as indicator,
        'dossier' as row_type,
        dossier_id as row_id,
        person_pseudonym,
        right_start,
        right_end,
        latest_allowed_end,
        coalesce(right_end <= latest_allowed_end, false) as compliant,
        case
            when right_start is null then 'right_end without right_start: validity cannot be measured'
            when right_end > latest_allowed_end
                then 'right from ' || cast(right_start as {{ dbt.type_string() }})
                    || ' to ' || cast(right_end as {{ dbt.type_string() }})
                    || ' exceeds the maximum of ' || cast(max_validity_months as {{ dbt.type_string() }})
                    || ' months (latest end ' || cast(latest_allowed_end as {{ dbt.type_string() }}) || ')'
        end as reason,
        source_file,
        source_row

    from with_latest_end

)

select * from evaluated
