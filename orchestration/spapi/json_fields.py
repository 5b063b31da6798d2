"""Reading JSON report entries field by field into typed columns, quarantining bad entries."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping

import polars as pl

from orchestration.spapi.documents import decode_document
from orchestration.spapi.parsed import QUARANTINE_SCHEMA, ReportFormatError


class BadValue(Exception):
    """A value that cannot be read as its column's type; the message completes the reason."""


def as_int(v: Any) -> int:
    if isinstance(v, int) and not isinstance(v, bool):
        return v
    if isinstance(v, (Decimal, float)):
        d = Decimal(repr(v)) if isinstance(v, float) else v
        if d.is_finite() and d == d.to_integral_value():
            return int(d)  # 18.0 is 18 sessions; 18.5 is not a count
    if isinstance(v, str) and re.fullmatch(r"\s*[+-]?\d+\s*", v):
        return int(v)
    raise BadValue("is not a whole number")


def as_decimal(v: Any) -> Decimal:
    if isinstance(v, bool):
        raise BadValue("is not a number")
    if isinstance(v, (int, Decimal)):
        d = Decimal(v)
    elif isinstance(v, float):
        # A dict the caller loaded without parse_float=Decimal: the shortest repr is the
        # number as Amazon wrote it (16.79, not 16.789999999999999147...).
        d = Decimal(repr(v))
    elif isinstance(v, str) and re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*", v):
        d = Decimal(v.strip())
    else:
        raise BadValue("is not a number")
    if not d.is_finite():
        raise BadValue("is not a number")
    return d


def as_ratio(v: Any) -> float:
    # Percentages and shares are analytics ratios, not money: float is fine here.
    return float(as_decimal(v))


def as_amount(v: Any) -> tuple[Decimal, str | None]:
    if not isinstance(v, Mapping) or "amount" not in v:
        raise BadValue("is not an {amount, currencyCode} object")
    amount = as_decimal(v["amount"])
    if amount != amount.quantize(Decimal("0.01")):
        raise BadValue("has more than 2 decimal places")
    currency = v.get("currencyCode")
    return amount.quantize(Decimal("0.01")), (str(currency) if currency is not None else None)


def as_text(v: Any) -> str:
    if isinstance(v, (Mapping, list)):
        raise BadValue("is not text")
    return str(v)


@dataclass(frozen=True)
class Field:
    column: str
    keys: tuple[str, ...]  # path inside the entry; the last step may list aliases with "|"
    read: Callable[[Any], Any]
    dtype: pl.DataType
    required: bool = False


def _json_default(v: Any) -> Any:
    # Entries were loaded with Decimal floats; write them back as JSON numbers, not strings.
    return float(v) if isinstance(v, Decimal) else str(v)


def show(v: Any) -> str:
    return f"'{v}'" if isinstance(v, str) else json.dumps(v, default=_json_default)


def rows_to_frame(
    entries: list[Any], array_name: str, fields: list[Field], fixed: dict[str, Any], fixed_schema: dict[str, pl.DataType],
    finish: Callable[[dict[str, Any]], None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read each entry through `fields`; an entry with any bad value goes to quarantine whole."""
    schema: dict[str, pl.DataType] = dict(fixed_schema)
    for f in fields:
        if f.read is as_amount:
            schema[f"{f.column}_amount"], schema[f"{f.column}_currency"] = pl.Decimal(18, 2), pl.String()
        else:
            schema[f.column] = f.dtype
    good: list[dict[str, Any]] = []
    bad: list[tuple[int, str, str, str | None, str, str]] = []
    for index, entry in enumerate(entries):
        row: dict[str, Any] = dict(fixed)
        problems: list[tuple[str, str, str | None, str]] = []
        for f in fields:
            node: Any = entry
            path = [array_name + f"[{index}]"]
            for step in f.keys:
                key = next((k for k in step.split("|") if isinstance(node, Mapping) and k in node), step.split("|")[0])
                path.append(key)
                node = node.get(key) if isinstance(node, Mapping) else None
            try:
                if node is None or node == "":
                    if f.required:
                        raise BadValue("is missing")
                    value = (None, None) if f.read is as_amount else None
                else:
                    value = f.read(node)
            except BadValue as why:
                shown = "" if node is None or node == "" else " " + show(node)
                problems.append((f.column, ".".join(path), None if node is None else str(node), f"{path[-1]}{shown} {why}"))
                continue
            if f.read is as_amount:
                row[f"{f.column}_amount"], row[f"{f.column}_currency"] = value
            else:
                row[f.column] = value
        if problems:
            raw = json.dumps(entry, default=_json_default, ensure_ascii=False)
            bad.extend((index + 1, col, header, value, reason, raw) for col, header, value, reason in problems)
            continue
        if finish is not None:
            finish(row)
        good.append(row)
    frame = pl.DataFrame(good, schema=schema, orient="row") if good else pl.DataFrame(schema=schema)
    quarantine = pl.DataFrame(bad, schema=QUARANTINE_SCHEMA, orient="row")
    return frame, quarantine


def load_json(document: bytes | str | Mapping[str, Any], content_type: str | None) -> tuple[Mapping[str, Any], str | None]:
    if isinstance(document, Mapping):
        return document, None
    encoding = None
    if isinstance(document, (bytes, bytearray, memoryview)):
        decoded = decode_document(bytes(document), content_type)
        document, encoding = decoded.text, decoded.encoding
    try:
        doc = json.loads(document, parse_float=Decimal)  # exact money: 16.79 stays 16.79
    except json.JSONDecodeError as exc:
        raise ReportFormatError(f"report document is not valid JSON: {exc}") from exc
    if not isinstance(doc, Mapping):
        raise ReportFormatError("report document is not a JSON object")
    return doc, encoding
