"""Listing content: templates rendered and checked against the content rules, versions, diff and rollback."""
