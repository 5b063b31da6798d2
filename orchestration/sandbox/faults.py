"""Failure modes the sandbox can switch on: throttling, 5xx, slowness, failed reports, awkward documents.

Every mode is deterministic and countable so tests can rely on it: "the first N calls" or "this
share of calls, spread evenly" per operation (operation = the SP-API operation name, or "*"); with a
`seed`, the share is drawn at random instead (streaks included), the same draws for the same seed.
"""

from __future__ import annotations

import random
import threading
from dataclasses import asdict, dataclass, field, fields

# Usage-plan rates Amazon reports in x-amzn-RateLimit-Limit (requests per second).
RATE_LIMITS = {
    "createReport": "0.0167", "getReport": "2.0", "getReports": "0.0222", "cancelReport": "0.0222",
    "getReportDocument": "0.0167", "getCatalogItem": "2.0", "getListingsItem": "5.0",
    "patchListingsItem": "5.0", "getMyFeesEstimateForSKU": "1.0", "getCompetitivePricing": "0.5",
    "getFeaturedOfferExpectedPriceBatch": "0.033", "searchContentDocuments": "10.0",
    "searchContentPublishRecords": "10.0",
}
KEEPA_OPERATIONS = ["keepaToken", "keepaProduct", "keepaBestsellers", "keepaQuery", "keepaSeller"]
OPERATIONS = sorted(RATE_LIMITS) + ["downloadDocument", "lwaToken"] + KEEPA_OPERATIONS


@dataclass
class FailureRule:
    """Fail the first `first_n` calls, then `fraction` of later calls (evenly spread) with `status`."""

    first_n: int = 0
    fraction: float = 0.0
    status: int = 429
    nth: int = 0  # also fail exactly this call (1-based): one transient fault mid-run
    from_n: int = 0  # also fail every call from this one on: an outage mid-run
    seed: int | None = None  # `fraction` drawn at random per call (seeded by seed, kind, operation, call number)

    def fails(self, call_number: int, key: str = "") -> bool:
        if call_number <= self.first_n or call_number == self.nth or 0 < self.from_n <= call_number:
            return True
        k = call_number - self.first_n
        if self.seed is not None:
            return random.Random(f"{self.seed}:{key}:{k}").random() < self.fraction
        # Deterministic spreading: call k fails when floor(k*f) steps up.
        return self.fraction > 0 and int(k * self.fraction) > int((k - 1) * self.fraction)


@dataclass
class Faults:
    throttle: dict[str, FailureRule] = field(default_factory=dict)  # 429 with x-amzn-RateLimit-Limit
    server_errors: dict[str, FailureRule] = field(default_factory=dict)  # 500 or 503
    delay_seconds: dict[str, float] = field(default_factory=dict)
    # reportType -> "CANCELLED" or "FATAL" (every report of the type), or {"status": ..., "first_n": N}.
    report_outcomes: dict[str, object] = field(default_factory=dict)
    report_processing_polls: int = 2  # getReport calls before the final status (1st IN_QUEUE, then IN_PROGRESS)
    document_encoding: str = "utf-8"  # flat files: "utf-8", "utf-8-sig" (BOM) or "cp1252"
    document_charset_header: bool = False  # Amazon often sends no charset in Content-Type
    compression: str = "auto"  # "auto": JSON reports gzipped, flat files plain; "all"; "none"
    fulfilment_header: str = "fulfilment-channel"  # UK spelling; "fulfillment-channel" on some accounts
    deprecated_columns: bool = False  # several merchant-listings columns literally named "Deprecated column"
    missing_status: bool = False  # merchant-listings file without the status column
    b2b_columns: bool = False  # Business Price / quantity price columns (B2B sellers only)
    stray_quotes: bool = False  # unbalanced double quotes in some titles, beyond inch marks
    late_traffic_days: int = 0  # sales & traffic for the last N days are first reported low
    late_traffic_mode: str = "pull_counter"  # "pull_counter": revised on the next pull; "as_of": revised as days pass
    document_url_ttl_seconds: int = 300
    # Keepa: the token bucket (refill per minute, cap, level at start: 0 = exhausted) and payload faults.
    keepa_tokens_per_minute: int = 60
    keepa_token_bucket_max: int = 300
    keepa_tokens_start: int | None = None  # None = a full bucket
    keepa_short_csv: int = 0  # >0: every other product's csv cut to this many series (real payloads do this)
    keepa_missing_asin: bool = False  # the last product of each /product answer comes without "asin"

    @classmethod
    def from_dict(cls, data: dict | None) -> "Faults":
        data = dict(data or {})
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown fault settings: {sorted(unknown)}")
        for key in ("throttle", "server_errors"):
            default_status = 429 if key == "throttle" else 503
            data[key] = {op: r if isinstance(r, FailureRule) else FailureRule(**{"status": default_status, **r})
                         for op, r in (data.get(key) or {}).items()}
        faults = cls(**data)
        faults.validate()
        return faults

    def validate(self) -> None:
        if self.document_encoding not in ("utf-8", "utf-8-sig", "cp1252"):
            raise ValueError("document_encoding must be utf-8, utf-8-sig or cp1252")
        if self.compression not in ("auto", "all", "none"):
            raise ValueError("compression must be auto, all or none")
        if self.late_traffic_mode not in ("pull_counter", "as_of"):
            raise ValueError("late_traffic_mode must be pull_counter or as_of")
        for op in list(self.throttle) + list(self.server_errors) + list(self.delay_seconds):
            if op != "*" and op not in OPERATIONS:
                raise ValueError(f"unknown operation {op!r}; one of {OPERATIONS} or '*'")
        if not 0 <= self.keepa_short_csv < 36 or self.keepa_tokens_per_minute < 1 or self.keepa_token_bucket_max < 1:
            raise ValueError("keepa_short_csv must be 0-35; Keepa refill rate and bucket size must be positive")
        for rule in self.server_errors.values():
            if rule.status < 500:
                raise ValueError("server_errors rules need a 5xx status")

    def to_dict(self) -> dict:
        return asdict(self)


class FaultState:
    """The live fault settings plus per-operation call counters (reset when settings change)."""

    def __init__(self, faults: Faults | None = None):
        self._lock = threading.Lock()
        self.faults = faults or Faults()
        self._calls: dict[tuple[str, str], int] = {}
        self._report_type_count: dict[str, int] = {}

    def replace(self, faults: Faults) -> None:
        with self._lock:
            self.faults = faults
            self._calls.clear()
            self._report_type_count.clear()

    def _count(self, kind: str, op: str) -> int:
        key = (kind, op)
        self._calls[key] = self._calls.get(key, 0) + 1
        return self._calls[key]

    def failure_for(self, op: str) -> int | None:
        """HTTP status to fail this call with, or None. Counts the call."""
        with self._lock:
            for kind, rules in (("throttle", self.faults.throttle), ("server", self.faults.server_errors)):
                rule = rules.get(op) or rules.get("*")
                if rule is not None and rule.fails(self._count(kind, op), f"{kind}:{op}"):
                    return rule.status
            return None

    def delay_for(self, op: str) -> float:
        d = self.faults.delay_seconds
        return float(d.get(op, d.get("*", 0.0)))

    def report_outcome(self, report_type: str) -> str:
        """Final status for a new report of this type: DONE, CANCELLED or FATAL."""
        with self._lock:
            n = self._report_type_count[report_type] = self._report_type_count.get(report_type, 0) + 1
            spec = self.faults.report_outcomes.get(report_type)
            if spec is None:
                return "DONE"
            if isinstance(spec, str):
                return spec
            return spec["status"] if n <= int(spec.get("first_n", 10**9)) else "DONE"
