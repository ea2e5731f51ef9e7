{% macro period_covers(start_column, end_column, day) %}
{#- SPEC §5: a period [start, end] covers a day D when start <= D and (end is null or D <= end);
    an open end (null) runs on without limit. -#}
({{ start_column }} <= {{ day }} and ({{ end_column }} is null or {{ day }} <= {{ end_column }}))
{%- endmacro %}

{% macro latest_affiliation_first(periods) %}
{#- SPEC §5: of several members periods covering a day, the latest affiliation_start counts; ties
    (impossible while the staging key holds) go to the latest end (open first), then the lowest
    ziekenfonds_code, TITULARIS before PERSOON_TEN_LASTE, the landing file and row, so that the
    choice never depends on the engine. An ORDER BY list for row_number(). -#}
{{ periods }}.affiliation_start desc,
                {{ periods }}.affiliation_end desc nulls first,
                {{ periods }}.ziekenfonds_code asc,
                {{ periods }}.member_type desc,
                {{ periods }}.source_file asc,
                {{ periods }}.source_row asc
{%- endmacro %}
