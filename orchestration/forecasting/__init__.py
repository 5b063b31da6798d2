"""Demand forecasts per listing (daily units with intervals for 90 days), stock-out dates and reorder suggestions."""
