-- SPEC §5b mailing list, grain person: the candidates of the latest loaded reporting year who are
-- due for a letter - never mailed, or last mailed more than 365 days before 31/12/Y (exactly 365
-- days is not yet due) - and, being candidates, still without VT on 31/12/Y. Pseudonyms only: the
-- operational system, which holds the key, maps them back to addresses.
with

latest_year as (

    select max(year) as year

    from {{ ref('int_reporting_years') }}

),

candidates as (

    select
        int_vt_candidates_evaluated.year,
        int_vt_candidates_evaluated.person_pseudonym,
        int_vt_candidates_evaluated.ziekenfonds_code,
        int_vt_candidates_evaluated.indicator,
        int_vt_candidates_evaluated.last_sent_on,
        int_vt_candidates_evaluated.is_mailed_within_365_days

    from {{ ref('int_vt_candidates_evaluated') }} as int_vt_candidates_evaluated
    inner join latest_year
        on int_vt_candidates_evaluated.year = latest_year.year

),

due as (

    select
        year,
        person_pseudonym,
        min(ziekenfonds_code) as ziekenfonds_code,
        {{ dbt.listagg('indicator', "'|'", 'order by indicator') }} as indicators,
        max(last_sent_on) as last_sent_on

    from candidates
    where not is_mailed_within_365_days
    group by year, person_pseudonym

),

final as (

    select
        cast(year as {{ dbt.type_int() }}) as reference_year,
        cast(person_pseudonym as {{ dbt.type_string() }}) as pseudonym,
        cast(ziekenfonds_code as {{ dbt.type_string() }}) as ziekenfonds_code,
        cast(indicators as {{ dbt.type_string() }}) as indicators,
        cast(last_sent_on as date) as last_sent_on,
        last_sent_on is not null as is_reminder_due

    from due

)

select * from final
