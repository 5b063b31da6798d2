"""Content changes through Listings Items patchListingsItem: a VALIDATION_PREVIEW first, then the patch.

Fields map to Amazon attributes: title -> item_name, bullet_points -> bullet_point (one value each),
description -> product_description (deleted when empty), search_terms -> generic_keyword (one value).
"""

from __future__ import annotations

from dataclasses import dataclass

from orchestration.automation.pricing import _issues, _product_type

ATTRIBUTES = {"title": "item_name", "bullet_points": "bullet_point", "description": "product_description",
              "search_terms": "generic_keyword"}


@dataclass
class Submission:
    status: str                    # accepted | valid (preview only) | failed
    submission_id: str | None = None
    error: str | None = None


class ListingsContentSubmitter:
    def __init__(self, listings_api, seller_id: str, marketplace_id: str):
        self.api, self.seller_id, self.marketplace_id = listings_api, seller_id, marketplace_id

    @classmethod
    def from_config(cls, config) -> "ListingsContentSubmitter":
        from orchestration.spapi.client import listings_client

        return cls(listings_client(config), config.seller_id, config.marketplace_id)

    @classmethod
    def from_price_submitter(cls, submitter) -> "ListingsContentSubmitter":
        """The rules engine holds one Listings Items client (for prices): content goes through the same."""
        return cls(submitter.api, submitter.seller_id, submitter.marketplace_id)

    def body(self, product_type: str, changes: dict) -> dict:
        patches = []
        for field, value in changes.items():
            path = f"/attributes/{ATTRIBUTES[field]}"
            values = value if field == "bullet_points" else [" ".join(value) if field == "search_terms" else value]
            values = [v for v in (values or []) if v]
            if not values:
                patches.append({"op": "delete", "path": path})
                continue
            patches.append({"op": "replace", "path": path, "value": [
                {"value": v, "language_tag": "en_GB", "marketplace_id": self.marketplace_id} for v in values]})
        return {"productType": product_type, "patches": patches}

    def submit(self, conn, sku: str, changes: dict, *, preview_only: bool = False) -> Submission:
        """Never raises for Amazon's answers: a refusal is a failed Submission with the issues."""
        from sp_api.base.exceptions import SellingApiException

        from orchestration.spapi.retry import SpApiUnavailable, call_with_retries

        body = self.body(_product_type(conn, sku), changes)
        try:
            preview = call_with_retries(self.api.patch_listings_item, self.seller_id, sku, body=body,
                                        mode="VALIDATION_PREVIEW", marketplaceIds=self.marketplace_id,
                                        operation="patchListingsItem").payload
            if preview.get("status") != "VALID":
                return Submission("failed", preview.get("submissionId"), "validation preview: " + _issues(preview))
            if preview_only:
                return Submission("valid", preview.get("submissionId"))
            result = call_with_retries(self.api.patch_listings_item, self.seller_id, sku, body=body,
                                       marketplaceIds=self.marketplace_id, operation="patchListingsItem").payload
        except SellingApiException as exc:
            return Submission("failed", None, f"{type(exc).__name__}: {getattr(exc, 'code', '')}")
        except SpApiUnavailable as exc:
            return Submission("failed", None, str(exc))
        if result.get("status") != "ACCEPTED":
            return Submission("failed", result.get("submissionId"), _issues(result))
        return Submission("accepted", result.get("submissionId"))
