-- The global score is a weighted mean of the six indicator scores (SPEC §5): the weights of seed
-- zorgkas_indicator_weights (003: 50/1/4/15/15/15 %) must sum to 1 after a user edits them.
with

total as (

    select
        count(*) as indicators,
        sum(weight) as total_weight

    from {{ ref('zorgkas_indicator_weights') }}

)

select * from total
where indicators <> 6 or total_weight <> 1
