-- Indicator I1, timely premium invitation (SPEC §5): every ZORGKAS_PREMIE contribution of
-- contribution_year Y is in the population; it complies when invited_on is on or before the
-- invitation deadline of Y (seed zorgkas_indicator_parameters, default 30 April). Premium records
-- are those of the landsbond's own zorgkas (seed zorgkassen, is_own). No invitation = not compliant.
with

premiums as (

    select
        contribution_id,
        person_pseudonym,
        contribution_year as year,
        invited_on,
        source_file,
        source_row

    from {{ ref('stg_contributions__contributions') }}
    where scheme = 'ZORGKAS_PREMIE'

),

own_zorgkas as (

    select zorgkas_code
    from {{ ref('zorgkassen') }}
    where is_own

),

parameters as (

    select
        deadline_month,
        deadline_day

    from {{ ref('zorgkas_indicator_parameters') }}
    where indicator = 'I1'

),

with_deadline as (

    select
        premiums.year,
        own_zorgkas.zorgkas_code,
        premiums.contribution_id,
        premiums.person_pseudonym,
        premiums.invited_on,
        cast(
            {{ dbt.dateadd(
                'day',
                'parameters.deadline_day - 1',
                dbt.dateadd(
                    'month',
                    'parameters.deadline_month - 1',
                    "cast(cast(premiums.year as " ~ dbt.type_string() ~ ") || '-01-01' as date)"
                )
            ) }} as date
        ) as invitation_deadline,
        premiums.source_file,
        premiums.source_row

    from premiums
    cross join own_zorgkas
    cross join parameters

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I1' as indicator,
        'contribution' as row_type,
        contribution_id as row_id,
        person_pseudonym,
        invited_on,
        invitation_deadline,
        coalesce(invited_on <= invitation_deadline, false) as compliant,
        case
            when invited_on is null
                then 'not invited (deadline ' || cast(invitation_deadline as {{ dbt.type_string() }}) || ')'
            when invited_on > invitation_deadline
                then 'invited on ' || cast(invited_on as {{ dbt.type_string() }})
                    || ', after the deadline ' || cast(invitation_deadline as {{ dbt.type_string() }})
        end as reason,
        source_file,
        source_row

    from with_deadline

)

select * from evaluated
