-- Every population row of the six zorgkas quality indicators (SPEC §5 I1-I6), marked compliant or
-- not with the reason, for the reporting years (int_reporting_years). The base of the indicator
-- scores (fct_zorgkas_indicator_year) and of the drill-down to the failing dossiers
-- (fct_zorgkas_failing_rows). A view, as the project's intermediate models are on DuckDB: the stack
-- costs ~1.3 s at scale 1.0 (10.7 M rows, I1 alone has a row per premium), writing it as a table
-- 13-16 s beside the other models; its two marts and its checks each read the stack instead
-- (benchmarks/profile.md).

with

evaluated as (

    {% for model in [
        'int_zorgkas_premium_invitations_evaluated',
        'int_zorgkas_mutations_evaluated',
        'int_zorgkas_right_starts_evaluated',
        'int_zorgkas_right_validities_evaluated',
        'int_zorgkas_payment_months_evaluated',
        'int_zorgkas_payment_dates_evaluated',
    ] %}
    select
        year,
        zorgkas_code,
        indicator,
        row_type,
        row_id,
        person_pseudonym,
        compliant,
        reason,
        source_file,
        source_row

    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}

),

reporting_years as (

    select year
    from {{ ref('int_reporting_years') }}

),

final as (

    select evaluated.*
    from evaluated
    inner join reporting_years
        on evaluated.year = reporting_years.year

)

select * from final
