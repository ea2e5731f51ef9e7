{% macro period_covers(start_column, end_column, day) %}
{#- SPEC §5: a period [start, end] covers a day D when start <= D and (end is null or D <= end);
    an open end (null) runs on without limit. -#}
({{ start_column }} <= {{ day }} and ({{ end_column }} is null or {{ day }} <= {{ end_column }}))
{%- endmacro %}
