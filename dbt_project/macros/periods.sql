{% macro period_covers(start_column, end_column, day) %}
{#- SPEC §5: a period [start, end] covers a day D when start <= D and (end is null or D <= end);
    an open end (null) runs on without limit. -#}
({{ start_column }} <= {{ day }} and ({{ end_column }} is null or {{ day }} <= {{ end_column }}))
{%- endmacro %}

{% macro latest_affiliation_first(periods, by_member_type=true) %}
{#- SPEC §5: of several members periods covering a day, the latest affiliation_start counts; ties
    (impossible while the staging key holds) go to the latest end (open first), then the lowest
    ziekenfonds_code, TITULARIS before PERSOON_TEN_LASTE, the landing file and row, so that the
    choice never depends on the engine. The ORDER BY of row_number() in every model that makes
    this choice. A model that keeps only the ziekenfonds passes by_member_type=false: the member
    type only orders periods of the same ziekenfonds, and carrying it costs memory on 10 M rows. -#}
{{ periods }}.affiliation_start desc,
                {{ periods }}.affiliation_end desc nulls first,
                {{ periods }}.ziekenfonds_code asc,
                {%- if by_member_type %}
                {{ periods }}.member_type desc,
                {%- endif %}
                {{ periods }}.source_file asc,
                {{ periods }}.source_row asc
{%- endmacro %}
