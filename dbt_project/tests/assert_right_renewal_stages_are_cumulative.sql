-- SPEC §5b: the renewal stages are cumulative and never decrease along the funnel:
-- auto_june <= automatic <= without_contact <= renewed_by_year_end <= population, the year-end
-- gap is population - renewed_by_year_end, and the finally unrenewed are part of that gap.
select
    right_year,
    ziekenfonds_code,
    population,
    auto_june,
    automatic,
    without_contact,
    renewed_by_year_end,
    without_right_at_year_end,
    without_right_final

from {{ ref('fct_right_renewal_year') }}
where
    auto_june > automatic
    or automatic > without_contact
    or without_contact > renewed_by_year_end
    or renewed_by_year_end > population
    or letters_sent > population
    or without_right_at_year_end <> population - renewed_by_year_end
    or without_right_final > without_right_at_year_end
