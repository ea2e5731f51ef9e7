-- SPEC §5: titularissen and vt_leden are subsets of leden, so neither can exceed leden, and a share
-- is a fraction between 0 and 1.
select
    year,
    ziekenfonds_code,
    leden,
    titularissen,
    vt_leden,
    vt_share,
    market_share_leden,
    market_share_titularissen

from {{ ref('fct_membership_year') }}
where
    titularissen > leden
    or vt_leden > leden
    or vt_share < 0 or vt_share > 1
    or market_share_leden < 0 or market_share_leden > 1
    or market_share_titularissen < 0 or market_share_titularissen > 1
