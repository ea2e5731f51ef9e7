-- SPEC §6 annual_report/finance.csv: the audited ledger totals per entity, rubric and year with the
-- same entity and rubric of the year before (null when the ledger has no such line, e.g. when a
-- rubric was renamed between two annual reports).
with

ledger_lines as (

    select
        entity,
        rubric,
        year,
        amount_eur

    from {{ ref('stg_finance_ledger__ledger_lines') }}

),

final as (

    select
        cast(ledger_lines.entity as {{ dbt.type_string() }}) as entity,
        cast(ledger_lines.rubric as {{ dbt.type_string() }}) as rubric,
        cast(ledger_lines.year as {{ dbt.type_int() }}) as year,
        cast(ledger_lines.amount_eur as decimal(18, 2)) as amount_eur,
        cast(previous_year.amount_eur as decimal(18, 2)) as previous_year_amount_eur

    from ledger_lines
    left join ledger_lines as previous_year
        on
            ledger_lines.entity = previous_year.entity
            and ledger_lines.rubric = previous_year.rubric
            and ledger_lines.year - 1 = previous_year.year

)

select * from final
