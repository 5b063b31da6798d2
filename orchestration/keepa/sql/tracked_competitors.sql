-- Tracked competitors (at least one link the seller did not ignore) and the listings they affect.
SELECT p.id, array_agg(t.listing_id ORDER BY t.listing_id)
FROM competitors.products p
JOIN competitors.tracking t ON t.competitor_id = p.id AND t.status <> 'ignored'
GROUP BY p.id
