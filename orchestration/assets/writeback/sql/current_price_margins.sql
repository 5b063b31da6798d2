-- Landed cost and margins at the current price onto pricing.current_prices. referral_fee and fba_fee
-- stay Amazon's estimates (the fees ingestion writes them and the margin model reads them back): writing
-- the rate-card fallback there would pass it off as Amazon's quote on the next build.
-- Percentages past the column's NUMERIC(5,2) range (a price far below cost) are left NULL; the mart has them.
update pricing.current_prices p
set landed_cost = round(m.landed_cost_gbp, 2),
    landed_cost_updated = case when p.landed_cost is distinct from round(m.landed_cost_gbp, 2) then now()
                               else p.landed_cost_updated end,
    gross_margin = round(m.gross_margin_gbp, 2),
    gross_margin_pct = case when abs(m.gross_margin_pct) < 1000 then round(m.gross_margin_pct, 2) end,
    net_margin = round(m.net_margin_gbp, 2),
    net_margin_pct = case when abs(m.net_margin_pct) < 1000 then round(m.net_margin_pct, 2) end
from marts.fct_listing_margins m
where m.listing_id = p.listing_id
  and (p.landed_cost, p.gross_margin, p.gross_margin_pct, p.net_margin, p.net_margin_pct)
      is distinct from
      (round(m.landed_cost_gbp, 2), round(m.gross_margin_gbp, 2),
       case when abs(m.gross_margin_pct) < 1000 then round(m.gross_margin_pct, 2) end,
       round(m.net_margin_gbp, 2),
       case when abs(m.net_margin_pct) < 1000 then round(m.net_margin_pct, 2) end)
