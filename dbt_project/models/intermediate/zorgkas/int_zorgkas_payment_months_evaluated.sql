-- Indicator I5, ZZB correct payment month (SPEC §5): every payment of a ZZB dossier with
-- for_month in Y; it complies when for_month lies inside the dossier's right period: from the
-- month of right_start up to right_end (null = unlimited), compared by month because for_month is
-- the first day of the month paid for. A payment on a dossier without a right (NEGATIEF, or no
-- right_start) does not comply. Payments whose dossier_id is unknown cannot be attributed to a
-- pillar or zorgkas and are left out (the staging relationship test warns about them).
with

payments as (

    select
        payment_id,
        dossier_id,
        for_month,
        cast(extract(year from for_month) as {{ dbt.type_int() }}) as year,
        source_file,
        source_row

    from {{ ref('stg_zorgkas_payments__payments') }}

),

zzb_dossiers as (

    select
        dossier_id,
        person_pseudonym,
        zorgkas_code,
        decision,
        right_start,
        right_end

    from {{ ref('stg_zorgkas_dossiers__dossiers') }}
    where pillar = 'ZZB'

),

joined as (

    select
        payments.year,
        zzb_dossiers.zorgkas_code,
        payments.payment_id,
        payments.dossier_id,
        zzb_dossiers.person_pseudonym,
        payments.for_month,
        zzb_dossiers.decision,
        zzb_dossiers.right_start,
        zzb_dossiers.right_end,
        cast({{ dbt.date_trunc('month', 'zzb_dossiers.right_start') }} as date) as right_start_month,
        payments.source_file,
        payments.source_row

    from payments
    inner join zzb_dossiers
        on payments.dossier_id = zzb_dossiers.dossier_id

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I5' as indicator,
        'payment' as row_type,
        payment_id as row_id,
        person_pseudonym,
        dossier_id,
        for_month,
        right_start,
        right_end,
        coalesce(
            decision = 'POSITIEF'
            and for_month >= right_start_month
            and (right_end is null or for_month <= right_end),
            false
        ) as compliant,
        case
            when decision <> 'POSITIEF' or right_start is null
                then 'payment for ' || substr(cast(for_month as {{ dbt.type_string() }}), 1, 7)
                    || ' on a dossier without a right (decision ' || decision || ')'
            when for_month < right_start_month
                then 'payment for ' || substr(cast(for_month as {{ dbt.type_string() }}), 1, 7)
                    || ', before the right starts on ' || cast(right_start as {{ dbt.type_string() }})
            when for_month > right_end
                then 'payment for ' || substr(cast(for_month as {{ dbt.type_string() }}), 1, 7)
                    || ', after the right ends on ' || cast(right_end as {{ dbt.type_string() }})
        end as reason,
        source_file,
        source_row

    from joined

)

select * from evaluated
