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

scopes as (

    select
        year,
        dmw_code,
        landsbond_code,
        is_landsbond_total

    from {{ ref('int_dmw_scopes_enumerated') }}

),

months as (

    select
        year,
        month

    from {{ ref('int_dmw_months_enumerated') }}

),

dmw_actions as (

    select
        actions.year,
        actions.dmw_code,
        scopes.landsbond_code,
        actions.target_group,
        actions.action_date,
        actions.follow_up

    from actions
    inner join scopes
        on
            actions.year = scopes.year
            and actions.dmw_code = scopes.dmw_code
            and not scopes.is_landsbond_total

),

scoped_actions as (

    select * from dmw_actions
    union all
    select
        year,
        'LB_' || landsbond_code as dmw_code,
        landsbond_code,
        target_group,
        action_date,
        follow_up

    from dmw_actions

),

target_groups as (

    select
        year,
        dmw_code,
        target_group,
        min(action_date) as first_action_on

    from scoped_actions
    group by year, dmw_code, target_group

),

target_groups_per_month as (

    select
        year,
        dmw_code,
        extract(month from first_action_on) as first_month,
        count(*) as target_groups

    from target_groups
    group by year, dmw_code, extract(month from first_action_on)

),

actions_per_month as (

    select
        year,
        dmw_code,
        extract(month from action_date) as action_month,
        count(*) as actions,
        sum(case when follow_up then 1 else 0 end) as actions_with_follow_up

    from scoped_actions
    group by year, dmw_code, extract(month from action_date)

),

spine as (

    select
        months.year,
        months.month,
        scopes.dmw_code,
        scopes.landsbond_code

    from months
    inner join scopes
        on months.year = scopes.year

),

groups_accumulated as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        coalesce(sum(target_groups_per_month.target_groups), 0) as target_groups

    from spine
    left join target_groups_per_month
        on
            spine.year = target_groups_per_month.year
            and spine.dmw_code = target_groups_per_month.dmw_code
            and target_groups_per_month.first_month <= spine.month
    group by spine.year, spine.month, spine.dmw_code

),

actions_accumulated as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        coalesce(sum(actions_per_month.actions), 0) as actions,
        coalesce(sum(actions_per_month.actions_with_follow_up), 0) as actions_with_follow_up

    from spine
    left join actions_per_month
        on
            spine.year = actions_per_month.year
            and spine.dmw_code = actions_per_month.dmw_code
            and actions_per_month.action_month <= spine.month
    group by spine.year, spine.month, spine.dmw_code

),

final as (

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        'PROACTIVE_TARGET_GROUPS' as norm_code,
        cast(groups_accumulated.target_groups as decimal(18, 6)) as achieved,
        cast(groups_accumulated.target_groups as {{ dbt.type_bigint() }}) as numerator,
        cast(null as {{ dbt.type_bigint() }}) as denominator

    from spine
    inner join groups_accumulated
        on
            spine.year = groups_accumulated.year
            and spine.month = groups_accumulated.month
            and spine.dmw_code = groups_accumulated.dmw_code

    union all

    select
        spine.year,
        spine.month,
        spine.dmw_code,
        spine.landsbond_code,
        'PROACTIVE_FOLLOW_UP_SHARE' as norm_code,
        cast(
            case
                when actions_accumulated.actions = 0 then null
                else cast(actions_accumulated.actions_with_follow_up as decimal(18, 6)) / actions_accumulated.actions
            end as decimal(18, 6)
        ) as achieved,
        cast(actions_accumulated.actions_with_follow_up as {{ dbt.type_bigint() }}) as numerator,
        cast(actions_accumulated.actions as {{ dbt.type_bigint() }}) as denominator

    from spine
    inner join actions_accumulated
        on
            spine.year = actions_accumulated.year
            and spine.month = actions_accumulated.month
            and spine.dmw_code = actions_accumulated.dmw_code

)

select * from final
