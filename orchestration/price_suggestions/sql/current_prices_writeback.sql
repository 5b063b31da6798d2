-- The suggestion onto pricing.current_prices: optimal_price is NULL when there is no number to give (see the
-- status in pricing.price_suggestions). Rows already equal are left alone.
update pricing.current_prices p
set optimal_price = s.optimal_price,
    price_confidence = s.confidence_pct,
    last_optimized_at = s.generated_at
from pricing.price_suggestions s
where s.listing_id = p.listing_id and s.suggested_on = %(suggested_on)s and s.model_version = %(model)s
  and (p.optimal_price, p.price_confidence) is distinct from (s.optimal_price, s.confidence_pct)
