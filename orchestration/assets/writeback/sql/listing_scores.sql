-- Scores of the window's days from the dbt mart into the time series. A row scored under an older
-- scoring_version is kept (history is not rewritten by a rule change) unless a re-score is asked for.
insert into analytics.listing_scores as s
       (time, listing_id, total_score, seo_score, content_score, image_score, competitive_score,
        compliance_score, score_breakdown, scoring_version)
select (m.score_date::timestamp at time zone 'UTC'), m.listing_id, m.total_score, m.seo_score, m.content_score,
       m.image_score, m.competitive_score, m.compliance_score, m.score_breakdown, m.scoring_version
from marts.fct_listing_scores m
where m.score_date between %(first_day)s and %(last_day)s
on conflict (listing_id, time) do update set
    total_score = excluded.total_score, seo_score = excluded.seo_score, content_score = excluded.content_score,
    image_score = excluded.image_score, competitive_score = excluded.competitive_score,
    compliance_score = excluded.compliance_score, score_breakdown = excluded.score_breakdown,
    scoring_version = excluded.scoring_version
where (s.scoring_version = excluded.scoring_version or %(rescore)s)
  and (s.total_score, s.seo_score, s.content_score, s.image_score, s.competitive_score, s.compliance_score,
       s.score_breakdown, s.scoring_version)
      is distinct from
      (excluded.total_score, excluded.seo_score, excluded.content_score, excluded.image_score,
       excluded.competitive_score, excluded.compliance_score, excluded.score_breakdown, excluded.scoring_version)
