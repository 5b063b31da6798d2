"""Competitor tracking with Keepa: client, shared token budget, defensive parsing, ingestion, discovery, alerts."""
