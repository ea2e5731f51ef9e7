-- SPEC §5 invariant of the responsabilisering: per outcome year and basis, the sum withheld equals
-- the sum received (exactly: amounts are kept to the millionth and the rounding remainder is
-- assigned), so the net amounts sum to 0 and no euro appears or disappears.
with

totals as (

    select
        year,
        basis,
        sum(withheld_eur) as withheld_eur,
        sum(received_eur) as received_eur,
        sum(net_eur) as net_eur

    from {{ ref('fct_zorgkas_responsabilisering_year') }}
    group by year, basis

)

select * from totals
where withheld_eur <> received_eur or net_eur <> 0
