{#
    Every non-null value has exactly `length` characters, e.g. a 32-hex pseudonym or a 4-digit
    postcode. Uses dbt.length so that the test stays portable across adapters.
#}
{% test has_length(model, column_name, length) %}

select
    {{ column_name }} as wrong_length_value

from {{ model }}
where
    {{ column_name }} is not null
    and {{ dbt.length(column_name) }} <> {{ length }}

{% endtest %}
