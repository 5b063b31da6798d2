-- Discovery may refresh an 'auto' or 'pinned' link; an 'ignored' one is left exactly as the seller set it.
-- Returns whether the link is new (no row: an ignored link, untouched).
INSERT INTO competitors.tracking (competitor_id, listing_id, reason, reason_detail, relevance_score)
VALUES (%s, %s, %s, %s, %s)
ON CONFLICT (listing_id, competitor_id) DO UPDATE SET last_seen_at = now(), updated_at = now()
WHERE competitors.tracking.status <> 'ignored'
RETURNING (xmax = 0)
