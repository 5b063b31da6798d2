"""Dagster assets for demand forecasts, reorder suggestions and price suggestions."""
