-- The ASINs we sell in the UK: their Keepa Buy Box history shows who takes the Buy Box from us.
-- Variation parents carry no offer, so no Buy Box.
SELECT DISTINCT asin
FROM catalog.listings
WHERE marketplace_id = 'A1F83G8C2ARO7P' AND status = 'active' AND variation_type IS DISTINCT FROM 'parent'
ORDER BY asin
