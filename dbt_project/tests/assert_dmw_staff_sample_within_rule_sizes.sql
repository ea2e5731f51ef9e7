-- The staff sample never exceeds the size of its rule (seed dmw_inspection_sampling, 004
-- §1.2.4.2), its ranks run 1..n without gaps, and only one of the vte-dependent rules S02/S03
-- applies to a DMW in a year.
with

sample as (

    select * from {{ ref('fct_dmw_staff_sample') }}

),

rules as (

    select
        rule_code,
        sample_size

    from {{ ref('dmw_inspection_sampling') }}

),

per_rule as (

    select
        sample.year,
        sample.dmw_code,
        sample.rule_code,
        count(*) as drawn,
        max(sample.sample_rank) as last_rank,
        max(rules.sample_size) as sample_size

    from sample
    inner join rules
        on sample.rule_code = rules.rule_code
    group by sample.year, sample.dmw_code, sample.rule_code

),

vte_rules as (

    select
        year,
        dmw_code,
        count(distinct rule_code) as vte_rules

    from sample
    where rule_code in ('S02', 'S03')
    group by year, dmw_code

),

violations as (

    select year, dmw_code, rule_code, 'more than the rule size or ranks with gaps' as problem
    from per_rule
    where drawn > sample_size or last_rank <> drawn

    union all

    select year, dmw_code, 'S02/S03' as rule_code, 'both vte rules applied' as problem
    from vte_rules
    where vte_rules > 1

)

select * from violations
