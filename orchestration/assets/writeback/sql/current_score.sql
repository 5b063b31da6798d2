-- Each listing's latest score onto catalog.listings (the one place the seed shows it). From the mart, not
-- the time series: a listing first seen today has today's score before its first full day is partitioned.
update catalog.listings l
set current_score = latest.total_score, score_updated_at = latest.scored_at
from (
    select distinct on (listing_id) listing_id, total_score, score_date::timestamp at time zone 'UTC' as scored_at
    from marts.fct_listing_scores
    order by listing_id, score_date desc
) latest
where latest.listing_id = l.id
  and (l.current_score, l.score_updated_at) is distinct from (latest.total_score, latest.scored_at)
