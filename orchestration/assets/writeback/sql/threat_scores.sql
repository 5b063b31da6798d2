-- Threat scores from the dbt mart onto competitors.products; a rival the mart no longer scores keeps NULL.
update competitors.products p
set threat_score = t.threat_score
from marts.fct_competitor_threat t
where t.competitor_id = p.id
  and p.threat_score is distinct from t.threat_score
