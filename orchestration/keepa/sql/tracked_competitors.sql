-- Tracked competitors (at least one link the seller did not ignore) and the listings they affect; never our own ASINs.
SELECT p.id, array_agg(t.listing_id ORDER BY t.listing_id)
FROM competitors.products p
JOIN competitors.tracking t ON t.competitor_id = p.id AND t.status <> 'ignored'
WHERE NOT p.is_own_asin
GROUP BY p.id
