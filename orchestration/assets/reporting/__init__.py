"""Dagster side of reports: scheduled exports and charts (group "reporting")."""
