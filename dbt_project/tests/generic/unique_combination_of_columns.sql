{#
    Uniqueness of a composite key: no combination of the given columns occurs more than once.
    Written here because the project installs no dbt packages (runs offline); same contract as
    dbt_utils.unique_combination_of_columns.
#}
{% test unique_combination_of_columns(model, combination_of_columns) %}

with

grouped as (

    select
        {% for column in combination_of_columns -%}
        {{ column }},
        {% endfor -%}
        count(*) as row_count

    from {{ model }}
    group by
        {% for column in combination_of_columns -%}
        {{ column }}{{ "," if not loop.last }}
        {% endfor %}

)

select * from grouped
where row_count > 1

{% endtest %}
