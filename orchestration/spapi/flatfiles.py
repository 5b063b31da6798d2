"""Parse SP-API tab-separated flat-file reports into typed polars frames, quarantining bad rows."""

from __future__ import annotations

import polars as pl

from orchestration.spapi.documents import decode_document
from orchestration.spapi.flatfiles_specs import SPECS, ReportSpec, normalise_header
from orchestration.spapi.parsed import QUARANTINE_SCHEMA, MissingColumnsError, ParsedReport, empty_quarantine

__all__ = ["parse_flat_file", "ParsedReport", "MissingColumnsError", "SPECS"]

# Why we split lines ourselves instead of pl.read_csv(separator="\t", quote_char=None):
# read_csv cannot tell us about a ragged row. With truncate_ragged_lines it silently drops the
# extra fields (a shifted row loads with wrong values) and without it the whole file fails;
# short rows are padded with nulls without a word. It also renumbers nothing we can map back
# to the original line. Splitting on "\n" and "\t" in polars gives the same QUOTE_NONE
# semantics (a '"' is just a character, so a stray quote in a title cannot swallow the rows
# after it), keeps every value a string, stays vectorised, and lets each line keep its number.


def _split_lines(text: str) -> pl.DataFrame:
    lines = pl.Series("raw_record", [text]).str.split("\n").explode().str.strip_suffix("\r")
    return pl.DataFrame(lines).with_row_index("line_number", offset=1).with_columns(pl.col("line_number").cast(pl.Int64))


def _map_headers(spec: ReportSpec, headers: list[str]) -> tuple[dict[str, tuple[int, str]], list[str]]:
    """canonical name -> (position, original header), plus the headers we do not use."""
    lookup = spec.lookup()
    mapped: dict[str, tuple[int, str]] = {}
    ignored: list[str] = []
    for position, header in enumerate(headers):
        canonical = lookup.get(normalise_header(header))
        if canonical is not None and canonical not in mapped:
            mapped[canonical] = (position, header)
        else:
            # "Deprecated column" (often several), unknown new columns, or a second header
            # claiming a column we already have: reported, never typed.
            ignored.append(header if header.strip() else f"(blank header in column {position + 1})")
    return mapped, ignored


def _empty_frame(spec: ReportSpec) -> pl.DataFrame:
    schema = {"line_number": pl.Int64(), **{name: col.kind.dtype for name, col in spec.columns.items()}}
    return pl.DataFrame(schema=schema)


def _quarantine_entries(rows: pl.DataFrame, reason_col: str, field: str | None, header: str | None, value_col: str | None) -> pl.DataFrame:
    bad = rows.filter(pl.col(reason_col).is_not_null())
    return bad.select(
        pl.col("line_number"),
        pl.lit(field, pl.String).alias("field"),
        pl.lit(header, pl.String).alias("header"),
        (pl.col(value_col) if value_col else pl.lit(None, pl.String)).alias("value"),
        pl.col(reason_col).alias("reason"),
        pl.col("raw_record"),
    )


def parse_flat_file(
    document: bytes | str,
    report_type: str,
    *,
    document_id: str | None = None,
    content_type: str | None = None,
) -> ParsedReport:
    """Parse one flat-file report document (raw bytes as downloaded, or already-decoded text).

    Returns good rows typed under canonical names (plus `line_number`, the row's line in the
    original file with the header as line 1), and one quarantine entry per bad cell or bad row.
    Raises MissingColumnsError when a required column's header is absent.
    """
    spec = SPECS.get(report_type)
    if spec is None:
        raise ValueError(f"no flat-file spec for report type {report_type!r}; known: {sorted(SPECS)}")
    encoding: str | None = None
    if isinstance(document, (bytes, bytearray, memoryview)):
        decoded = decode_document(bytes(document), content_type)
        text, encoding = decoded.text, decoded.encoding
    else:
        text = document
    text = text.removeprefix("\ufeff")

    def report(frame: pl.DataFrame, quarantine: pl.DataFrame, ignored: list[str], total: int, warnings: list[str]) -> ParsedReport:
        return ParsedReport(report_type, frame, quarantine, ignored, encoding, total, document_id, warnings)

    if not text.strip():
        # Amazon serves an empty document when there is nothing to report.
        return report(_empty_frame(spec), empty_quarantine(), [], 0, ["document is empty"])

    lines = _split_lines(text)
    headers = lines["raw_record"][0].split("\t")
    while headers and not headers[-1].strip():
        headers.pop()  # a trailing tab on the header line is not a column
    mapped, ignored = _map_headers(spec, headers)
    missing = {name: spec.accepted_headers(name) for name, col in spec.columns.items() if col.required and name not in mapped}
    if missing:
        raise MissingColumnsError(report_type, document_id, missing, headers)

    body = lines.slice(1).filter(pl.col("raw_record") != "")  # blank lines carry no record
    width = len(headers)
    fields = pl.col("raw_record").str.split("\t")
    body = body.with_columns(fields.alias("__fields"), fields.list.len().alias("__n"))
    # Extra trailing fields are tolerated only when empty (a trailing tab); anything else means
    # the row is shifted and no column can be trusted.
    well_formed = (pl.col("__n") == width) | (
        (pl.col("__n") > width) & (pl.col("__fields").list.slice(width).list.join("") == "")
    )
    body = body.with_columns(
        pl.when(well_formed).then(None)
        .otherwise(pl.format("row has {} fields but the header has {}", pl.col("__n"), pl.lit(width)))
        .alias("__ragged")
    )
    ragged = _quarantine_entries(body, "__ragged", None, None, None)
    rows = body.filter(pl.col("__ragged").is_null())

    rows = rows.with_columns(
        pl.col("__fields").list.get(position).alias(f"__raw:{name}") for name, (position, _) in mapped.items()
    )
    typed: list[pl.Series | pl.Expr] = []
    for name, col in spec.columns.items():
        if name not in mapped:
            typed.append(pl.lit(None, col.kind.dtype).alias(name))  # optional column absent
            continue
        header = mapped[name][1]
        raw = rows[f"__raw:{name}"]
        value, reason = col.kind.parse(raw, header)
        if col.required:
            empty = raw.is_null() | (raw.str.strip_chars() == "")
            reason = pl.select(pl.when(empty).then(pl.lit(f"{header} is empty")).otherwise(reason)).to_series()
        typed += [value.cast(col.kind.dtype).alias(name), reason.alias(f"__why:{name}")]
    rows = rows.with_columns(typed)

    bad_cells = [
        _quarantine_entries(rows, f"__why:{name}", name, mapped[name][1], f"__raw:{name}")
        for name in spec.columns
        if name in mapped and rows[f"__why:{name}"].null_count() < rows.height  # skip clean columns
    ]
    quarantine = pl.concat([ragged, *bad_cells], how="vertical").cast(QUARANTINE_SCHEMA).sort("line_number", maintain_order=True)
    frame = rows.select("line_number", *spec.columns)
    if quarantine.height:
        frame = frame.filter(~pl.col("line_number").is_in(quarantine["line_number"].unique().implode()))
    return report(frame, quarantine, ignored, body.height, [])
