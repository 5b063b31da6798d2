"""Read the seller's supply spreadsheets (CSV) as strings with polars, cast each column explicitly, and
split the rows into typed good rows and problems (file, line, field, value, reason).

Lines count the header as line 1, so a record's line is its position + 1 (exact unless a quoted
cell spans several lines). A file polars cannot parse at all is one problem on line 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from orchestration.spapi.casts import decimal_parser, parse_int
from orchestration.spapi.documents import decode_text

PROBLEM_SCHEMA = {"file": pl.String(), "line_number": pl.Int32(), "field": pl.String(), "value": pl.String(),
                  "reason": pl.String(), "raw_record": pl.String()}


@dataclass(frozen=True)
class Column:
    kind: str  # text | code | int | decimal | date
    target: str  # column of the staging table
    required: bool = False
    default: str | None = None
    max_len: int | None = None
    pattern: str | None = None  # for codes (upper-cased first)
    scale: int = 0
    precision: int = 18
    low: float | None = None
    low_open: bool = False  # low itself is not allowed
    high: float | None = None


@dataclass(frozen=True)
class FileSpec:
    name: str
    columns: dict[str, Column]
    key: tuple[str, ...]


_INT_MAX = 2147483647
FILES = [
    FileSpec("suppliers.csv", {
        "supplier_code": Column("text", "code", required=True, max_len=50),
        "supplier_name": Column("text", "name", required=True, max_len=255),
        "country": Column("code", "country", default="GB", pattern=r"^[A-Z]{2}$"),
        "currency": Column("code", "currency", default="GBP", pattern=r"^[A-Z]{3}$"),
        "lead_time_days": Column("int", "lead_time_days", low=0, high=_INT_MAX),
        "import_duty_pct": Column("decimal", "import_duty_pct", scale=2, precision=5, low=0, high=100),
        # GBP per unit (the sandbox's convention); up to 4 places so pennies per screw survive.
        "shipping_cost_per_unit": Column("decimal", "shipping_cost_per_unit", scale=4, precision=10, low=0),
        "payment_terms": Column("text", "payment_terms", max_len=50),
    }, ("supplier_code",)),
    FileSpec("components.csv", {
        "component_sku": Column("text", "sku", required=True, max_len=100),
        "description": Column("text", "description"),
        "unit_of_measure": Column("text", "unit_of_measure", default="each", max_len=20),
        "default_supplier_code": Column("text", "default_supplier_code", max_len=50),
    }, ("component_sku",)),
    FileSpec("component_prices.csv", {
        "component_sku": Column("text", "component_sku", required=True, max_len=100),
        "supplier_code": Column("text", "supplier_code", required=True, max_len=50),
        "min_quantity": Column("int", "min_quantity", default="1", low=1, high=_INT_MAX),
        "unit_price": Column("decimal", "unit_cost", required=True, scale=4, precision=10, low=0),
        "currency": Column("code", "currency", pattern=r"^[A-Z]{3}$"),
        "valid_from": Column("date", "valid_from", required=True),
        "valid_to": Column("date", "valid_to"),
        # Optional: the rate the seller paid, GBP per unit of `currency`.
        "fx_rate_to_gbp": Column("decimal", "fx_rate_to_gbp", scale=6, precision=12, low=0, low_open=True),
    }, ("component_sku", "supplier_code", "min_quantity", "valid_from")),
    FileSpec("bill_of_materials.csv", {
        "listing_sku": Column("text", "listing_sku", required=True, max_len=50),
        "component_sku": Column("text", "component_sku", required=True, max_len=100),
        "quantity": Column("decimal", "quantity", required=True, scale=4, precision=10, low=0, low_open=True),
        "notes": Column("text", "notes"),
    }, ("listing_sku", "component_sku")),
]


def _header(name: str) -> str:
    return "_".join(name.replace("\ufeff", "").replace("-", " ").lower().split())


def _cast(name: str, col: Column) -> tuple[pl.Expr, pl.Expr]:
    """(typed value, reason or null) for one column; blank cells are null, then the default applies."""
    s = pl.col(name).str.strip_chars()
    s = pl.when(s == "").then(None).otherwise(s)
    if col.default is not None:
        s = s.fill_null(pl.lit(col.default))
    reason = pl.lit(None, pl.String)
    if col.kind == "text":
        value = s
        if col.max_len:
            reason = pl.when(s.str.len_chars() > col.max_len).then(pl.lit(f"{name} is longer than {col.max_len} characters"))
    elif col.kind == "code":
        value = s.str.to_uppercase()
        reason = pl.when(value.is_not_null() & ~value.str.contains(col.pattern)).then(
            pl.format("{} '{}' is not a valid code", pl.lit(name), s))
    elif col.kind == "int":
        value, reason = parse_int(s, name)
    elif col.kind == "decimal":
        value, reason = decimal_parser(col.scale, col.precision)(s, name)
    else:  # date: ISO, or day first as UK spreadsheets write it
        value = pl.coalesce(s.str.to_date("%Y-%m-%d", strict=False), s.str.to_date("%d/%m/%Y", strict=False))
        reason = pl.when(s.is_not_null() & value.is_null()).then(
            pl.format("{} '{}' is not a date (YYYY-MM-DD or DD/MM/YYYY)", pl.lit(name), s))
    if col.low is not None or col.high is not None:
        number = value.cast(pl.Float64)
        low_bad = (number <= col.low if col.low_open else number < col.low) if col.low is not None else pl.lit(False)
        high_bad = number > col.high if col.high is not None else pl.lit(False)
        bounds = f"{'above' if col.low_open else 'at least'} {col.low:g}" + (f" and at most {col.high:g}" if col.high is not None else "")
        reason = pl.coalesce(reason, pl.when(low_bad | high_bad).then(pl.format("{} '{}' must be " + bounds, pl.lit(name), s)))
    if col.required:
        reason = pl.when(s.is_null()).then(pl.lit(f"{name} is required")).otherwise(reason)
    return value, reason


def _problems(frame: pl.DataFrame, file: str, field: str, value: pl.Expr, reason: pl.Expr) -> pl.DataFrame:
    return frame.filter(reason.is_not_null()).select(
        pl.lit(file).alias("file"), pl.col("__line").cast(pl.Int32).alias("line_number"), pl.lit(field).alias("field"),
        value.cast(pl.String).alias("value"), reason.alias("reason"), pl.col("__raw").alias("raw_record"))


def _file_problem(file: str, reason: str) -> pl.DataFrame:
    return pl.DataFrame([{"file": file, "line_number": 1, "field": None, "value": None, "reason": reason,
                          "raw_record": None}], schema=PROBLEM_SCHEMA)


def read_supply_file(path: Path, spec: FileSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(good rows with the staging table's columns plus line_number and raw_record, problems)."""
    text, _, _ = decode_text(path.read_bytes())
    try:
        frame = pl.read_csv(text.encode("utf-8"), infer_schema=False)
    except pl.exceptions.PolarsError as exc:  # e.g. a line with more cells than the header
        return pl.DataFrame(), _file_problem(spec.name, f"not a readable CSV file: {str(exc).splitlines()[0]}")
    headers = [_header(c) for c in frame.columns]
    if len(set(headers)) < len(headers):
        return pl.DataFrame(), _file_problem(spec.name, f"two columns share a name: {', '.join(frame.columns)}")
    frame = frame.rename(dict(zip(frame.columns, headers)))
    missing = [name for name, col in spec.columns.items() if col.required and name not in frame.columns]
    if missing:
        return pl.DataFrame(), _file_problem(spec.name, f"missing column(s) {', '.join(missing)}")
    data = list(frame.columns)
    frame = frame.with_columns(
        pl.int_range(2, frame.height + 2).alias("__line"),
        pl.concat_str([pl.col(c).fill_null("") for c in data], separator=",").alias("__raw"),
        *[pl.lit(None, pl.String).alias(name) for name in spec.columns if name not in frame.columns],
    ).filter(pl.any_horizontal(pl.col(c).str.strip_chars() != "" for c in data))  # blank lines are no records
    casts = {name: _cast(name, col) for name, col in spec.columns.items()}
    problems = pl.concat([_problems(frame, spec.name, name, pl.col(name), reason)
                          for name, (_, reason) in casts.items()], how="vertical")
    typed = frame.select(pl.col("__line").cast(pl.Int32).alias("line_number"), pl.col("__raw").alias("raw_record"),
                         *[value.alias(spec.columns[name].target) for name, (value, _) in casts.items()])
    typed = typed.filter(~pl.col("line_number").is_in(problems["line_number"].implode()))
    typed, backwards = _valid_to_before_from(typed, spec.name)
    typed, duplicates = _drop_duplicates(typed, spec)
    return typed, pl.concat([problems, backwards, duplicates], how="vertical")


def _drop_duplicates(typed: pl.DataFrame, spec: FileSpec) -> tuple[pl.DataFrame, pl.DataFrame]:
    """A key repeated in one file is ambiguous: the first line loads, later ones are problems."""
    key = [spec.columns[k].target for k in spec.key]
    typed = typed.with_columns(pl.col("line_number").min().over(key).alias("__first"))
    repeated = typed.filter(pl.col("line_number") != pl.col("__first"))
    problems = repeated.select(
        pl.lit(spec.name).alias("file"), "line_number", pl.lit(", ".join(spec.key)).alias("field"),
        pl.concat_str([pl.col(k).cast(pl.String) for k in key], separator=", ").alias("value"),
        pl.format("duplicate of line {}", pl.col("__first")).alias("reason"), "raw_record")
    return typed.filter(pl.col("line_number") == pl.col("__first")).drop("__first"), problems


def _valid_to_before_from(typed: pl.DataFrame, file: str) -> tuple[pl.DataFrame, pl.DataFrame]:
    if "valid_to" not in typed.columns:
        return typed, pl.DataFrame(schema=PROBLEM_SCHEMA)
    bad = pl.col("valid_to").is_not_null() & (pl.col("valid_to") < pl.col("valid_from"))
    problems = typed.filter(bad).select(
        pl.lit(file).alias("file"), "line_number", pl.lit("valid_to").alias("field"),
        pl.col("valid_to").cast(pl.String).alias("value"), pl.lit("valid_to is before valid_from").alias("reason"),
        "raw_record")
    return typed.filter(~bad), problems
