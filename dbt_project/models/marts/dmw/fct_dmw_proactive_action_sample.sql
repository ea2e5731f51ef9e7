-- A reproducible random sample of proactive actions per erkende DMW and year, spread over the
-- target groups (004 §2.3.3: nine proactive actions checked against the DMW's policy; seed
-- dmw_inspection_activity_sampling, rule P01). Target groups (trimmed, lower-cased, as the norm
-- PROACTIVE_TARGET_GROUPS counts them) take turns: the first action of every group, then the second
-- of every group, and so on, groups and actions in the order of md5(random_seed|rule_code|year|id)
-- as the staff sample; the first sample_size are drawn.
with

actions as (

    select
        cast(extract(year from action_date) as {{ dbt.type_int() }}) as year,
        dmw_code,
        action_id,
        person_pseudonym,
        target_group,
        lower(trim(target_group)) as target_group_key,
        action_date,
        channel,
        follow_up

    from {{ ref('stg_dmw_proactive_actions__proactive_actions') }}

),

scoped_actions as (

    {{ dmw_rows_in_scope('actions', [
        'action_id', 'person_pseudonym', 'target_group', 'target_group_key', 'action_date', 'channel', 'follow_up',
    ]) }}

),

rules as (

    select * from {{ ref('dmw_inspection_activity_sampling') }}
    where subject = 'PROACTIVE_ACTION'

),

keyed as (

    select
        scoped_actions.*,
        rules.rule_code,
        rules.sample_size,
        rules.reason_selected,
        {{ dmw_sample_draw_key('scoped_actions.year', 'scoped_actions.action_id') }} as draw_key,
        {{ dmw_sample_draw_key('scoped_actions.year', 'scoped_actions.target_group_key') }} as group_key

    from scoped_actions
    cross join rules

),

turns as (

    select
        *,
        row_number() over (
            partition by year, dmw_code, rule_code, target_group_key
            order by draw_key, action_id
        ) as turn

    from keyed

),

ranked as (

    select
        *,
        row_number() over (
            partition by year, dmw_code, rule_code
            order by turn, group_key, target_group_key, draw_key, action_id
        ) as sample_rank

    from turns

),

final as (

    select
        {{ dmw_sample_key_columns() }}
        cast(action_id as {{ dbt.type_string() }}) as action_id,
        cast(person_pseudonym as {{ dbt.type_string() }}) as person_pseudonym,
        cast(target_group as {{ dbt.type_string() }}) as target_group,
        cast(action_date as date) as action_date,
        cast(channel as {{ dbt.type_string() }}) as channel,
        cast(follow_up as {{ dbt.type_boolean() }}) as follow_up,
        cast(reason_selected as {{ dbt.type_string() }}) as reason_selected

    from ranked
    where sample_rank <= sample_size

)

select * from final
