-- Indicator I6, ZZB paid on time (SPEC §5): the population of I5 (payments of ZZB dossiers with
-- for_month in Y, int_zorgkas_zzb_payments_joined); a payment complies when paid_on is on or
-- before the last day of for_month, or, for a month before the decision month (a back-payment),
-- when paid_on is on or before decided_on + back_payment_grace_days (seed
-- zorgkas_indicator_parameters, default 30).
with

parameters as (

    select back_payment_grace_days
    from {{ ref('zorgkas_indicator_parameters') }}
    where indicator = 'I6'

),

joined as (

    select
        payments.year,
        payments.zorgkas_code,
        payments.payment_id,
        payments.dossier_id,
        payments.person_pseudonym,
        payments.for_month,
        payments.paid_on,
        payments.decided_on,
        parameters.back_payment_grace_days,
        cast({{ dbt.last_day('payments.for_month', 'month') }} as date) as month_deadline,
        payments.for_month < cast({{ dbt.date_trunc('month', 'payments.decided_on') }} as date)
            as is_back_payment,
        cast(
            {{ dbt.dateadd('day', 'parameters.back_payment_grace_days', 'payments.decided_on') }} as date
        ) as back_payment_deadline,
        payments.source_file,
        payments.source_row

    from {{ ref('int_zorgkas_zzb_payments_joined') }} as payments
    cross join parameters

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I6' as indicator,
        'payment' as row_type,
        payment_id as row_id,
        person_pseudonym,
        dossier_id,
        for_month,
        paid_on,
        decided_on,
        is_back_payment,
        month_deadline,
        back_payment_deadline,
        paid_on <= month_deadline or (is_back_payment and paid_on <= back_payment_deadline) as compliant,
        case
            when paid_on <= month_deadline or (is_back_payment and paid_on <= back_payment_deadline) then null
            when is_back_payment
                then 'back-payment for ' || substr(cast(for_month as {{ dbt.type_string() }}), 1, 7)
                    || ' paid on ' || cast(paid_on as {{ dbt.type_string() }})
                    || ', more than ' || cast(back_payment_grace_days as {{ dbt.type_string() }})
                    || ' days after the decision of ' || cast(decided_on as {{ dbt.type_string() }})
            else 'payment for ' || substr(cast(for_month as {{ dbt.type_string() }}), 1, 7)
                || ' paid on ' || cast(paid_on as {{ dbt.type_string() }}) || ', after the end of the month'
        end as reason,
        source_file,
        source_row

    from joined

)

select * from evaluated
