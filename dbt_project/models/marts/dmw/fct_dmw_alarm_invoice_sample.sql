-- A reproducible random sample of personal-alarm user invoices per erkende DMW and year (004
-- §1.2.4.2: six invoices per DMW, placement or deposit cost and contribution checked, at least three
-- with a reduced contribution; seed dmw_inspection_activity_sampling, rule S05). Among the contracts
-- active in the year, ordered by md5(random_seed|rule_code|year|contract_id) as the staff sample:
-- first the first min_reduced contracts with a reduced contribution (fewer when the DMW has fewer),
-- then the first of the remaining contracts up to sample_size.
with

contracts as (

    select * from {{ ref('int_dmw_alarm_contracts_annualised') }}

),

scoped_contracts as (

    {{ dmw_rows_in_scope('contracts', [
        'contract_id', 'person_pseudonym', 'device_type', 'start_date', 'monthly_contribution',
        'reduced_contribution', 'placement_cost', 'deposit',
    ]) }}

),

rules as (

    select * from {{ ref('dmw_inspection_activity_sampling') }}
    where subject = 'ALARM_INVOICE'

),

keyed as (

    select
        scoped_contracts.*,
        rules.rule_code,
        rules.sample_size,
        coalesce(rules.min_reduced, 0) as min_reduced,
        rules.reason_selected,
        {{ dmw_sample_draw_key('scoped_contracts.year', 'scoped_contracts.contract_id') }} as draw_key

    from scoped_contracts
    cross join rules

),

reduced_ranked as (

    select
        *,
        case
            when reduced_contribution
                then row_number() over (
                    partition by year, dmw_code, rule_code, reduced_contribution
                    order by draw_key, contract_id
                )
        end as reduced_rank

    from keyed

),

preselected as (

    select
        *,
        coalesce(reduced_rank <= min_reduced, false) as is_preselected

    from reduced_ranked

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, dmw_code, rule_code
            order by case when is_preselected then 0 else 1 end, draw_key, contract_id
        ) as sample_rank

    from preselected

),

final as (

    select
        {{ dmw_sample_key_columns() }}
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(device_type as {{ dbt.type_string() }}) as device_type,
        cast(start_date as date) as start_date,
        cast(monthly_contribution as decimal(18, 2)) as monthly_contribution,
        cast(reduced_contribution as {{ dbt.type_boolean() }}) as reduced_contribution,
        cast(placement_cost as decimal(18, 2)) as placement_cost,
        cast(deposit as decimal(18, 2)) as deposit,
        cast(reason_selected as {{ dbt.type_string() }}) as reason_selected

    from ranked
    where sample_rank <= sample_size

)

select * from final
