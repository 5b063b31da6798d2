"""The write-back domain's Definitions."""

import dagster as dg

from orchestration.assets.writeback.assets import current_price_margins, listing_scores, threat_scores

defs = dg.Definitions(assets=[listing_scores, current_price_margins, threat_scores])
