-- Our active listings with their category node, price and tracked search terms: what discovery searches for.
SELECT l.id, l.asin, l.browse_node_id, cp.price,
       COALESCE(array_agg(k.keyword_normalized) FILTER (WHERE k.id IS NOT NULL), '{}')
FROM catalog.listings l
LEFT JOIN pricing.current_prices cp ON cp.listing_id = l.id
LEFT JOIN catalog.keywords k ON k.listing_id = l.id AND k.is_tracked
WHERE l.status = 'active' AND l.browse_node_id IS NOT NULL
GROUP BY l.id, l.asin, l.browse_node_id, cp.price
