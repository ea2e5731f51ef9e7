{{ config(severity='warn') }}
-- Warns when a per-vte requirement or the alarm maximum cannot be computed because seed dmw_vte
-- or dmw_alarm_price_max has no row for a reported DMW and year (the norm then shows met = false
-- with required_missing_reason): add the year to the seed.
select
    year,
    dmw_code,
    norm_code,
    required_missing_reason

from {{ ref('fct_dmw_norm_year') }}
where required_missing_reason is not null
