-- Our own ASINs with Keepa history, and our listings (SKUs) on each: where a lost Buy Box costs us sales.
SELECT p.id, array_agg(l.id ORDER BY l.id)
FROM competitors.products p
JOIN catalog.listings l ON l.asin = p.asin AND l.marketplace_id = p.marketplace_id
WHERE p.is_own_asin
GROUP BY p.id
