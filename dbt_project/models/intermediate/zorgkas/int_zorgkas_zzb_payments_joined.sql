-- The population of indicators I5 and I6 (SPEC §5), written once for both: every payment of a ZZB
-- dossier, with the year of for_month and the dossier's zorgkas, holder, decision and right.
-- Payments on a ZOZ or BOB dossier are not in the population; payments whose dossier_id is unknown
-- cannot be attributed to a pillar or zorgkas and are left out (the staging relationship test
-- warns about them).
with

payments as (

    select
        payment_id,
        dossier_id,
        for_month,
        paid_on,
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
        decided_on,
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
        payments.paid_on,
        zzb_dossiers.decision,
        zzb_dossiers.decided_on,
        zzb_dossiers.right_start,
        zzb_dossiers.right_end,
        payments.source_file,
        payments.source_row

    from payments
    inner join zzb_dossiers
        on payments.dossier_id = zzb_dossiers.dossier_id

)

select * from joined
