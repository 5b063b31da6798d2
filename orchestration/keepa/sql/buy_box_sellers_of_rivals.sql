-- Sellers who held the Buy Box on a rival found directly, with the listings that rival is tracked for.
-- Rivals found through a seller's storefront do not count (one hop), so discovery converges.
SELECT DISTINCT h.buy_box_seller_id, t.listing_id
FROM competitors.price_history h
JOIN competitors.tracking t ON t.competitor_id = h.competitor_id
WHERE t.status <> 'ignored' AND t.reason <> 'buy_box_seller' AND h.buy_box_seller_id IS NOT NULL
ORDER BY 1, 2
