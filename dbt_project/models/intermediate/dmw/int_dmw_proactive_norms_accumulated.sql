-- Year-to-date figures of the proactive-action norms (SPEC §5, 004 §2.3.3) per month, erkende DMW
-- and landsbond: PROACTIVE_TARGET_GROUPS counts distinct target groups (trimmed, lower-cased, so
-- that 'Mantelzorgers ' and 'mantelzorgers' are one group), recomputed as distinct across the DMW
-- for a landsbond; PROACTIVE_FOLLOW_UP_SHARE = actions with follow-up / actions, from summed
-- numerators and denominators. A DMW without actions gets 0 groups and a null share (0 / 0).
with

actions as (

    select
        cast(extract(year from action_date) as {{ dbt.type_int() }}) as year,
        dmw_code,
        lower(trim(target_group)) as target_group,
        action_date,
        follow_up

    from {{ ref('stg_dmw_proactive_actions__proactive_actions') }}

),

scoped_actions as (

    {{ dmw_and_landsbond_rows('actions', ['target_group', 'action_date', 'follow_up']) }}

),

target_groups_per_month as (

    {{ dmw_distinct_per_first_month('scoped_actions', 'target_group', 'action_date', 'target_groups') }}

),

actions_per_month as (

    {{ dmw_per_event_month('scoped_actions', 'action_date', 'action_month', {
        'actions': 'count(*)',
        'actions_with_follow_up': 'sum(case when follow_up then 1 else 0 end)',
    }) }}

),

spine as (

    {{ dmw_month_spine() }}

),

groups_accumulated as (

    {{ dmw_counted_by_month('target_groups_per_month', {
        'target_groups': 'coalesce(sum(target_groups_per_month.target_groups), 0)',
    }, month_column='first_month') }}

),

actions_accumulated as (

    {{ dmw_counted_by_month('actions_per_month', {
        'actions': 'coalesce(sum(actions_per_month.actions), 0)',
        'actions_with_follow_up': 'coalesce(sum(actions_per_month.actions_with_follow_up), 0)',
    }, month_column='action_month') }}

),

final as (

    {{ dmw_norm_rows([
        {'code': 'PROACTIVE_TARGET_GROUPS', 'from': 'groups_accumulated', 'numerator': 'target_groups'},
        {'code': 'PROACTIVE_FOLLOW_UP_SHARE', 'from': 'actions_accumulated',
         'numerator': 'actions_with_follow_up', 'denominator': 'actions'},
    ]) }}

)

select * from final
