-- Indicator I5, ZZB correct payment month (SPEC §5): every payment of a ZZB dossier with
-- for_month in Y (int_zorgkas_zzb_payments_joined); it complies when for_month lies inside the
-- dossier's right period: from the month of right_start up to right_end (null = unlimited),
-- compared by month because for_month is the first day of the month paid for. A payment on a
-- dossier without a right (NEGATIEF, or no right_start) does not comply.
with

joined as (

    select
        year,
        zorgkas_code,
        payment_id,
        dossier_id,
        person_pseudonym,
        for_month,
        decision,
        right_start,
        right_end,
        cast({{ dbt.date_trunc('month', 'right_start') }} as date) as right_start_month,
        source_file,
        source_row

    from {{ ref('int_zorgkas_zzb_payments_joined') }}

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
