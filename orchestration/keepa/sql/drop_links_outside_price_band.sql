-- Discovery's own links (status 'auto', not added by hand) to a rival priced outside our band: the price
-- just looked up when there is one, else the last one ingested. Pinned and ignored links stay as they are.
DELETE FROM competitors.tracking t
USING competitors.products p
      LEFT JOIN unnest(%(asins)s::text[], %(prices)s::numeric[]) AS seen (asin, price)
             ON seen.asin = p.asin AND p.marketplace_id = 'A1F83G8C2ARO7P',
      pricing.current_prices cp
WHERE t.competitor_id = p.id AND cp.listing_id = t.listing_id
  AND t.status = 'auto' AND t.reason <> 'manual' AND NOT p.is_own_asin
  AND cp.price IS NOT NULL AND COALESCE(seen.price, p.current_price) IS NOT NULL
  AND (COALESCE(seen.price, p.current_price) < cp.price * %(lo)s
       OR COALESCE(seen.price, p.current_price) > cp.price * %(hi)s)
