-- Keepa resends the whole history on every call: rows already stored are left as they are.
INSERT INTO competitors.price_history
    (time, competitor_id, amazon_price_pence, new_price_pence, new_fba_price_pence, buy_box_price_pence,
     buy_box_shipping_pence, bsr, new_offer_count, rating, review_count, buy_box_seller_id,
     amazon_out_of_stock, new_out_of_stock, new_fba_out_of_stock, buy_box_out_of_stock, source)
SELECT time, competitor_id, amazon_price_pence, new_price_pence, new_fba_price_pence, buy_box_price_pence,
       buy_box_shipping_pence, bsr, new_offer_count, rating, review_count, buy_box_seller_id,
       amazon_out_of_stock, new_out_of_stock, new_fba_out_of_stock, buy_box_out_of_stock, 'keepa'
FROM keepa_history_stage
ON CONFLICT (competitor_id, time) DO NOTHING
