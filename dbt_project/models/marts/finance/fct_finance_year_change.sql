-- Finance lines with their change against the year before (SPEC §6 annual_report workbook,
-- issue 17): finance.csv keeps its SPEC columns; only annual_report.xlsx reads this model.
with

finance as (

    select
        entity,
        rubric,
        year,
        amount_eur,
        previous_year_amount_eur

    from {{ ref('fct_finance_year') }}

),

final as (

    select
        entity,
        rubric,
        year,
        cast(amount_eur - previous_year_amount_eur as decimal(18, 2)) as change_eur,
        cast(
            (amount_eur - previous_year_amount_eur) / nullif(abs(previous_year_amount_eur), 0)
            as decimal(12, 6)
        ) as change_share

    from finance

)

select * from final
