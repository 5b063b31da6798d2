-- Per-session staging for one batch's history rows (COPY in, then one idempotent INSERT ... SELECT).
CREATE TEMP TABLE IF NOT EXISTS keepa_history_stage (
    time TIMESTAMPTZ, competitor_id UUID, amazon_price_pence INTEGER, new_price_pence INTEGER,
    new_fba_price_pence INTEGER, buy_box_price_pence INTEGER, buy_box_shipping_pence INTEGER, bsr INTEGER,
    new_offer_count INTEGER, rating NUMERIC(3,1), review_count INTEGER, buy_box_seller_id VARCHAR(20),
    amazon_out_of_stock BOOLEAN, new_out_of_stock BOOLEAN, new_fba_out_of_stock BOOLEAN,
    buy_box_out_of_stock BOOLEAN)
