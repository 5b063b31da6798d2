"""String-to-type casts for report columns, vectorised in polars, each also saying why a value failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import polars as pl

# A parse function gets the raw column (String; null when the row had no such cell) and the
# header name to quote in messages; it returns (typed value, reason) where reason is a String
# that is null when the value is fine. Everything is vectorised polars: no per-row Python.
ParseFn = Callable[[pl.Expr, str], tuple[pl.Expr, pl.Expr]]  # expression form, simple kinds
SeriesParseFn = Callable[[pl.Series, str], tuple[pl.Series, pl.Series]]  # what a Kind exposes

# Cells that mean "no value" in numeric/date/flag columns: Amazon writes "--" in the fees report.
_BLANKS = ["", "--"]

_NUMBER = r"^[+-]?(\d+(\.\d*)?|\.\d+)$"
_INTEGER = r"^[+-]?\d+$"


@dataclass(frozen=True)
class Kind:
    name: str
    dtype: pl.DataType
    parse: SeriesParseFn


def _stripped(raw: pl.Expr) -> pl.Expr:
    s = raw.str.strip_chars()
    return pl.when(s.is_in(_BLANKS)).then(None).otherwise(s)


def _reason(label: str, s: pl.Expr, text: str) -> pl.Expr:
    return pl.format("{} '{}' " + text, pl.lit(label), s)  # `text` must not contain braces


def parse_text(raw: pl.Expr, label: str) -> tuple[pl.Expr, pl.Expr]:
    # Text is kept byte-for-byte (titles may end in a space on purpose); only "" becomes null.
    return pl.when(raw == "").then(None).otherwise(raw), pl.lit(None, pl.String)


def parse_int(raw: pl.Expr, label: str) -> tuple[pl.Expr, pl.Expr]:
    s = _stripped(raw)
    value = s.str.to_integer(strict=False)
    reason = (
        pl.when(s.is_not_null() & ~s.str.contains(_INTEGER)).then(_reason(label, s, "is not a whole number"))
        .when(s.is_not_null() & value.is_null()).then(_reason(label, s, "is out of range"))
    )
    return value, reason


def decimal_parser(scale: int, precision: int = 18) -> ParseFn:
    """Exact decimal: values with more places than `scale` are rejected, never rounded."""

    def parse(raw: pl.Expr, label: str) -> tuple[pl.Expr, pl.Expr]:
        s = _stripped(raw)
        is_number = s.str.contains(_NUMBER)
        places = s.str.extract(r"\.(\d*)$").str.len_chars().fill_null(0)
        ok = is_number & (places <= scale)
        value = pl.when(ok).then(s).otherwise(None).cast(pl.Decimal(precision, scale), strict=False)
        reason = (
            pl.when(s.is_not_null() & ~is_number).then(_reason(label, s, "is not a number"))
            .when(s.is_not_null() & (places > scale)).then(_reason(label, s, f"has more than {scale} decimal places"))
            .when(s.is_not_null() & value.is_null()).then(_reason(label, s, "is too large"))
        )
        return value, reason

    return parse


_TRUE = ["y", "yes", "true", "t", "1"]
_FALSE = ["n", "no", "false", "f", "0"]


def parse_bool(raw: pl.Expr, label: str) -> tuple[pl.Expr, pl.Expr]:
    s = _stripped(raw).str.to_lowercase()
    value = pl.when(s.is_in(_TRUE)).then(True).when(s.is_in(_FALSE)).then(False).otherwise(None)
    reason = pl.when(s.is_not_null() & value.is_null()).then(_reason(label, _stripped(raw), "is not yes/no"))
    return value, reason


# Zone suffixes seen in Amazon flat files. UK files say GMT in winter and BST in summer, so the
# suffix is authoritative; a value with no zone at all is read as UK local time.
_ZONE_MINUTES = {"Z": 0, "UTC": 0, "GMT": 0, "BST": 60, "CET": 60, "CEST": 120, "PST": -480, "PDT": -420}
_CLOCK = r"(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2}|[A-Za-z]{1,5})?$"
_ISO_DATE = r"^(\d{4})-(\d{1,2})-(\d{1,2})" + _CLOCK  # 2024-03-12T10:15:32+00:00 (orders)
_UK_DATE = r"^(\d{1,2})/(\d{1,2})/(\d{4})" + _CLOCK  # 12/03/2024 10:15:32 GMT (day first)


def parse_timestamp(raw: pl.Series, label: str) -> tuple[pl.Series, pl.Series]:
    """ISO 8601 or day-first UK dates, with an offset, a zone name or none -> Datetime UTC."""
    # Evaluated in stages on a frame: as one expression tree polars re-ran the regex
    # extraction for every part it was used in (25x slower on a 200k-row listings file).
    parts = ["year", "month", "day", "hour", "minute", "second", "fraction", "zone"]
    iso_order, uk_order = ["1", "2", "3", "4", "5", "6", "7", "8"], ["3", "2", "1", "4", "5", "6", "7", "8"]
    df = raw.to_frame("raw").with_columns(_stripped(pl.col("raw")).alias("s"))
    df = df.with_columns(
        pl.col("s").str.extract_groups(_ISO_DATE).alias("iso"), pl.col("s").str.extract_groups(_UK_DATE).alias("uk")
    ).with_columns(
        pl.coalesce(pl.col("iso").struct.field(i), pl.col("uk").struct.field(u)).alias(name)
        for name, i, u in zip(parts, iso_order, uk_order)
    )
    df = df.with_columns(
        pl.format(
            "{}-{}-{} {}:{}:{}{}", "year", pl.col("month").str.zfill(2), pl.col("day").str.zfill(2),
            pl.col("hour").fill_null("0").str.zfill(2), pl.col("minute").fill_null("00"),
            pl.col("second").fill_null("00"), pl.col("fraction").fill_null(""),
        ).str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False).alias("naive"),
        pl.col("zone").str.to_uppercase(),
    )
    digits = pl.col("zone").str.replace(":", "", literal=True).str.extract(r"^[+-](\d{4})$")
    sign = pl.when(pl.col("zone").str.starts_with("-")).then(-1).otherwise(1)
    df = df.with_columns(pl.coalesce(
        sign * (digits.str.slice(0, 2).cast(pl.Int64) * 60 + digits.str.slice(2, 2).cast(pl.Int64)),
        pl.col("zone").replace_strict(_ZONE_MINUTES, default=None, return_dtype=pl.Int64),
    ).alias("offset"))
    with_zone = (pl.col("naive") - pl.duration(minutes=pl.col("offset"))).dt.replace_time_zone("UTC")
    uk_local = pl.col("naive").dt.replace_time_zone("Europe/London", ambiguous="earliest", non_existent="null")
    df = df.with_columns(
        pl.when(pl.col("zone").is_null()).then(uk_local.dt.convert_time_zone("UTC")).otherwise(with_zone).alias("value")
    )
    s, present = pl.col("s"), pl.col("s").is_not_null()
    reason = (
        pl.when(present & pl.col("zone").is_not_null() & pl.col("offset").is_null())
        .then(_reason(label, s, "has an unknown time zone"))
        .when(present & pl.col("naive").is_not_null() & pl.col("zone").is_null() & pl.col("value").is_null())
        .then(_reason(label, s, "does not exist in UK local time (clocks went forward)"))
        .when(present & pl.col("value").is_null())
        .then(_reason(label, s, "is not a date/time (expected DD/MM/YYYY HH:MM:SS GMT/BST or ISO 8601)"))
    )
    out = df.select("value", reason.alias("reason"))
    return out["value"], out["reason"]


def _eager(parse: ParseFn) -> SeriesParseFn:
    def run(raw: pl.Series, label: str) -> tuple[pl.Series, pl.Series]:
        value, reason = parse(pl.col("raw"), label)
        out = raw.to_frame("raw").select(value.alias("value"), reason.alias("reason"))
        return out["value"], out["reason"]

    return run


TEXT = Kind("text", pl.String(), _eager(parse_text))
INT = Kind("int", pl.Int64(), _eager(parse_int))
MONEY = Kind("money", pl.Decimal(18, 2), _eager(decimal_parser(2)))
# Dimensions, weights, volumes: not money, but still exact so sums and comparisons are stable.
MEASURE = Kind("measure", pl.Decimal(18, 4), _eager(decimal_parser(4)))
BOOL = Kind("bool", pl.Boolean(), _eager(parse_bool))
TIMESTAMP = Kind("timestamp", pl.Datetime("us", "UTC"), parse_timestamp)
