-- upsert_keywords: raw.spapi_search_terms (one Brand Analytics document) -> catalog.keywords for every
-- listing whose ASIN is among a term's most clicked ASINs.
-- search_volume stays NULL: Amazon gives a search frequency RANK, not a volume, and no honest conversion
-- exists (the rank stays in raw.spapi_search_terms). relevance_score holds the listing's click share of
-- the term in percent (0-100): the share of the term's clicks that went to this ASIN.

-- name: stage
create temp table keyword_sync on commit drop as
select distinct on (l.id, lower(k.keyword))
       l.id as listing_id, k.keyword, lower(k.keyword) as keyword_normalized,
       round((t.click_share * 100)::numeric, 2) as click_share_pct,
       coalesce(t.period_end_date::timestamp at time zone 'UTC', %(synced_at)s) as last_updated
from raw.spapi_search_terms t
cross join lateral (select btrim(regexp_replace(t.search_term, '\s+', ' ', 'g')) as keyword) k
join catalog.listings l
  on l.asin = upper(btrim(t.clicked_asin)) and l.marketplace_id = coalesce(t.marketplace_id, %(marketplace)s)
where t.report_document_id = %(document)s and k.keyword <> ''
order by l.id, lower(k.keyword), t.click_share desc nulls last, t.line_number

-- name: upsert
-- Whoever found a keyword first keeps it as its source; the report refreshes the click share unless
-- the stored figure comes from a later week.
insert into catalog.keywords as k (listing_id, keyword, keyword_normalized, source, relevance_score, last_updated)
select s.listing_id, s.keyword, s.keyword_normalized, 'suggested', s.click_share_pct, s.last_updated
from keyword_sync s
on conflict (listing_id, keyword_normalized) do update
set relevance_score = excluded.relevance_score, last_updated = excluded.last_updated
where (k.last_updated is null or excluded.last_updated >= k.last_updated)
  and (k.relevance_score, k.last_updated) is distinct from (excluded.relevance_score, excluded.last_updated)
returning (xmax = 0) as inserted

-- name: counts
select count(*) as keyword_rows,
       count(distinct keyword_normalized) as terms_matched,
       count(distinct listing_id) as listings_matched
from keyword_sync
