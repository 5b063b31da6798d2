SELECT rule_id::text, count(*) FROM claimed GROUP BY rule_id
