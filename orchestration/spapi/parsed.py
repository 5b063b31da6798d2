"""What every SP-API report parser returns: typed good rows, quarantined bad ones, and errors."""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

# One row per (bad record, failing field). A record failing two casts appears twice, same
# line_number. line_number counts the header as line 1 in flat files; in JSON reports it is
# the 1-based position of the entry in its array and `header` holds the JSON path.
QUARANTINE_SCHEMA: dict[str, pl.DataType] = {
    "line_number": pl.Int64(),
    "field": pl.String(),  # our canonical column name
    "header": pl.String(),  # the name the document used (flat-file header or JSON path)
    "value": pl.String(),
    "reason": pl.String(),  # human-readable, e.g. "price 'twelve' is not a number"
    "raw_record": pl.String(),  # the whole original line / JSON entry, for the quarantine table
}


def empty_quarantine() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_SCHEMA)


@dataclass
class ParsedReport:
    report_type: str
    frame: pl.DataFrame  # good rows only, typed, canonical column names
    quarantine: pl.DataFrame  # QUARANTINE_SCHEMA
    ignored_headers: list[str]  # document columns we do not map (e.g. "Deprecated column")
    encoding: str | None  # how the bytes were decoded; None when text was passed in
    row_count_total: int  # data records in the document (good + quarantined)
    document_id: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def quarantined_record_count(self) -> int:
        return self.quarantine["line_number"].n_unique() if self.quarantine.height else 0


class ReportFormatError(ValueError):
    """The document as a whole cannot be parsed as the report type it claims to be."""


class MissingColumnsError(ReportFormatError):
    """A required column is absent from a flat-file report's header line."""

    def __init__(self, report_type: str, document_id: str | None, missing: dict[str, tuple[str, ...]], headers_seen: list[str]):
        self.report_type = report_type
        self.document_id = document_id
        self.missing = missing  # canonical name -> accepted header aliases
        self.headers_seen = headers_seen
        what = "; ".join(f"{name} (accepted headers: {', '.join(aliases)})" for name, aliases in missing.items())
        super().__init__(
            f"{report_type} document {document_id or '<unnamed>'}: missing required column(s) {what}. "
            f"Headers seen: {headers_seen}"
        )
