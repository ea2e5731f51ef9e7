-- Indicator I2, mutations of persons with a budget transmitted on time and correctly (SPEC §5):
-- every mutation with mutation_date in Y; it complies when transmitted_on - mutation_date is at
-- most transmission_max_days (seed zorgkas_indicator_parameters, default 30; the last day itself
-- is in time) and transmission_correct. Not transmitted = not compliant.
with

mutations as (

    select
        mutation_id,
        person_pseudonym,
        zorgkas_code,
        mutation_date,
        transmitted_on,
        transmission_correct,
        cast(extract(year from mutation_date) as {{ dbt.type_int() }}) as year,
        {{ dbt.datediff('mutation_date', 'transmitted_on', 'day') }} as transmission_days,
        source_file,
        source_row

    from {{ ref('stg_zorgkas_mutations__mutations') }}

),

parameters as (

    select transmission_max_days
    from {{ ref('zorgkas_indicator_parameters') }}
    where indicator = 'I2'

),

flagged as (

    select
        mutations.*,
        parameters.transmission_max_days,
        coalesce(mutations.transmission_days <= parameters.transmission_max_days, false) as is_on_time

    from mutations
    cross join parameters

),

evaluated as (

    select
        year,
        zorgkas_code,
        'I2' as indicator,
        'mutation' as row_type,
        mutation_id as row_id,
        person_pseudonym,
        mutation_date,
        transmitted_on,
        transmission_days,
        transmission_correct,
        is_on_time and transmission_correct as compliant,
        case
            when transmitted_on is null then 'not transmitted'
            when not is_on_time
                then 'transmitted ' || cast(transmission_days as {{ dbt.type_string() }})
                    || ' days after the mutation (maximum '
                    || cast(transmission_max_days as {{ dbt.type_string() }}) || ')'
                    || case when transmission_correct then '' else ', and incorrect' end
            when not transmission_correct then 'transmission incorrect'
        end as reason,
        source_file,
        source_row

    from flagged

)

select * from evaluated
