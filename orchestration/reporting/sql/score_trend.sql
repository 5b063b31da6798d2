-- Daily listing score across the catalogue over the last `days` days of scores: average and 10th-90th percentile.
select s.score_date,
       avg(s.total_score)::float8 as average_score,
       percentile_cont(0.1) within group (order by s.total_score) as score_p10,
       percentile_cont(0.9) within group (order by s.total_score) as score_p90,
       count(*) as listings
from marts.fct_listing_scores s
where s.total_score is not null
  and s.score_date > (select max(score_date) from marts.fct_listing_scores) - %(days)s::int
group by s.score_date
order by s.score_date
