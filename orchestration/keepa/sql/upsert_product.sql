-- Current state of one Keepa product from its latest payload; keeps values Keepa left out.
-- is_own_asin follows our catalogue: an ASIN we list in the UK is ours, not a rival.
INSERT INTO competitors.products AS p
    (asin, title, brand, seller_id, category_path, current_price, current_bsr, review_count, rating,
     buy_box_price, buy_box_seller, is_amazon_seller, last_synced_at, keepa_domain_id, images, is_own_asin)
VALUES (%(asin)s::varchar, %(title)s, %(brand)s, %(buy_box_seller)s, %(category_path)s, %(current_price)s,
        %(current_bsr)s, %(review_count)s, %(rating)s, %(buy_box_price)s, %(buy_box_seller)s, %(is_amazon_seller)s,
        %(synced_at)s, 2, %(images)s,
        EXISTS (SELECT 1 FROM catalog.listings l
                WHERE l.asin = %(asin)s::varchar AND l.marketplace_id = 'A1F83G8C2ARO7P'))
ON CONFLICT (asin, marketplace_id) DO UPDATE SET
    title            = COALESCE(EXCLUDED.title, p.title),
    brand            = COALESCE(EXCLUDED.brand, p.brand),
    seller_id        = COALESCE(EXCLUDED.seller_id, p.seller_id),
    category_path    = COALESCE(EXCLUDED.category_path, p.category_path),
    current_price    = EXCLUDED.current_price,
    current_bsr      = COALESCE(EXCLUDED.current_bsr, p.current_bsr),
    review_count     = COALESCE(EXCLUDED.review_count, p.review_count),
    rating           = COALESCE(EXCLUDED.rating, p.rating),
    buy_box_price    = EXCLUDED.buy_box_price,
    buy_box_seller   = EXCLUDED.buy_box_seller,
    is_amazon_seller = EXCLUDED.is_amazon_seller,
    last_synced_at   = EXCLUDED.last_synced_at,
    keepa_domain_id  = 2,
    images           = COALESCE(EXCLUDED.images, p.images),
    is_own_asin      = EXCLUDED.is_own_asin,
    updated_at       = now()
RETURNING id, is_own_asin
