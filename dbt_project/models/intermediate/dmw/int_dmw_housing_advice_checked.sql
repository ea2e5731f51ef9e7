-- Every WONINGAANPASSING housing advice with the check of 004 §2.3.5 (norm HOUSING_ADVICE_PRACTICE):
-- an advice on adapting the home is given with a home visit, by an ergotherapeut (the advisor
-- condition is a working assumption, see seed dmw_norms). One row per advice; the other kinds of
-- woonadvies (technology, guidance with technology) need no home visit and are not checked.
with

advices as (

    select * from {{ ref('stg_dmw_housing_advice__housing_advices') }}
    where kind = 'WONINGAANPASSING'

),

checked as (

    select
        cast(extract(year from advice_date) as {{ dbt.type_int() }}) as year,
        dmw_code,
        advice_id,
        person_pseudonym,
        advice_date,
        home_visit,
        advisor_role,
        home_visit and advisor_role = 'ERGOTHERAPEUT' as is_compliant,
        case
            when not home_visit and advisor_role <> 'ERGOTHERAPEUT' then 'no home visit; advisor ' || advisor_role
            when not home_visit then 'no home visit'
            when advisor_role <> 'ERGOTHERAPEUT' then 'advisor ' || advisor_role || ', not ERGOTHERAPEUT'
        end as finding

    from advices

)

select * from checked
