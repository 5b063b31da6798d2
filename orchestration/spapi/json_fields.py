"""Reading JSON report entries into typed columns, quarantining bad entries: column by column when the
document allows it (ColumnReader), field by field otherwise (rows_to_frame)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Callable, Mapping, NamedTuple

import polars as pl

from orchestration.spapi.documents import decode_document, gunzip_if_needed, utf8_body
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


def frame_schema(fields: list[Field], fixed_schema: dict[str, pl.DataType]) -> dict[str, pl.DataType]:
    schema: dict[str, pl.DataType] = dict(fixed_schema)
    for f in fields:
        if f.read is as_amount:
            schema[f"{f.column}_amount"], schema[f"{f.column}_currency"] = pl.Decimal(18, 2), pl.String()
        else:
            schema[f.column] = f.dtype
    return schema


def rows_to_frame(
    entries: list[Any], array_name: str, fields: list[Field], fixed: dict[str, Any], fixed_schema: dict[str, pl.DataType],
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read each entry through `fields`; an entry with any bad value goes to quarantine whole."""
    schema = frame_schema(fields, fixed_schema)
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


# --- the same reading, column by column ---------------------------------------------------------
# A day's sales and traffic report holds one entry per SKU, and reading thousands of entries field by
# field in Python costs more than landing them. ColumnReader has polars read the whole document into
# columns instead and applies the per-entry readers' rules as expressions. What the columns no longer
# show: polars reads true and false as 1 and 0 in a number column, and it cannot tell a key that is
# absent from one that is null. So a document with a boolean anywhere, a value of another JSON type than
# its field's (polars refuses those), a field spelt two ways or no entries array, and every document
# with a bad entry, is read by rows_to_frame: one reader decides what goes to quarantine and why.
# Numbers are doubles either way: digits beyond a double's precision (16.790000000000001) are not seen,
# and a number where text belongs reads in its shortest form (1.50 as "1.5").

_BOOLEANS = (b"true", b"false")
_CENTS = r"^-?\d+(\.\d{1,2})?$"  # an amount's shortest decimal form, at most 2 decimals
_EXACT_INTEGERS = 2.0**53  # above this a double does not hold every whole number
# The expressions are built once per reader and selected as they are: polars' optimiser would spend
# longer on them than reading a day's document takes, and a select of columns leaves it nothing to improve.
_AS_WRITTEN = pl.QueryOptFlags.none()


class Columns(NamedTuple):
    header: dict[str, Any]  # the document's top-level fields besides the entries (e.g. reportSpecification)
    entries: pl.DataFrame  # one row per entry, a column (a struct when nested) per key of an entry
    encoding: str | None


def _path(steps: tuple[str, ...]) -> pl.Expr:
    expr = pl.col(steps[0])
    for step in steps[1:]:
        expr = expr.struct.field(step)
    return expr


class ColumnReader:
    """`fields` of the `array_name` entries and the `header` fields of a JSON report, column by column."""

    def __init__(self, array_name: str, fields: list[Field], fixed_schema: dict[str, pl.DataType],
                 header: dict[str, pl.DataType]):
        self.array_name, self.fixed_schema = array_name, fixed_schema
        self.schema = {**header, array_name: pl.List(self._entry_schema(fields))}
        self.aliased = [(f.keys[:-1], f.keys[-1].split("|")) for f in fields if "|" in f.keys[-1]]
        self.columns = list(frame_schema(fields, fixed_schema))
        self.values: list[pl.Expr] = []
        bad: list[pl.Expr] = []
        for f in fields:
            *steps, last = f.keys
            node = pl.coalesce([_path((*steps, key)) for key in last.split("|")])
            if f.read is as_amount:
                amount = node.struct.field("amount")
                cents = amount.cast(pl.String).cast(pl.Decimal(18, 2), strict=False)
                bad += [node.is_not_null() & (amount.is_null() | ~amount.cast(pl.String).str.contains(_CENTS)),
                        amount.is_not_null() & cents.is_null()]
                self.values += [cents.alias(f"{f.column}_amount"),
                                node.struct.field("currencyCode").alias(f"{f.column}_currency")]
                continue
            if f.read is as_text:
                node = pl.when(node != "").then(node)  # an empty value is a missing one
            elif f.read is as_int:  # read as a double, so that 18.5 shows
                bad.append((node != node.floor()) | (node.abs() > _EXACT_INTEGERS))
            if f.required:
                bad.append(node.is_null())
            self.values.append(node.cast(f.dtype).alias(f.column))
        self.any_bad = pl.any_horizontal(bad).any()

    @staticmethod
    def _entry_schema(fields: list[Field]) -> pl.Struct:
        tree: dict[str, Any] = {}
        for f in fields:
            node = tree
            for step in f.keys[:-1]:
                node = node.setdefault(step, {})
            for key in f.keys[-1].split("|"):
                node[key] = {as_amount: pl.Struct({"amount": pl.Float64(), "currencyCode": pl.String()}),
                             as_text: pl.String()}.get(f.read, pl.Float64())

        def struct(node: dict[str, Any]) -> pl.Struct:
            return pl.Struct({k: struct(v) if isinstance(v, dict) else v for k, v in node.items()})
        return struct(tree)

    def read(self, document: bytes | str | Mapping[str, Any], content_type: str | None) -> Columns | None:
        """The document as columns, or None when it takes the per-entry reader to read it exactly."""
        if isinstance(document, Mapping):
            return None
        if isinstance(document, str):
            data, encoding = document.encode("utf-8"), None
        else:
            data, encoding = utf8_body(gunzip_if_needed(bytes(document))[0], content_type)
        if any(word in data for word in _BOOLEANS):
            return None
        try:
            doc = pl.read_json(data, schema=self.schema)
        except Exception:  # noqa: BLE001 - whatever polars refuses, the per-entry reader explains
            return None
        entries = doc[self.array_name]
        if doc.height != 1 or entries.null_count():
            return None
        entries = entries[0].struct.unnest()
        if not self._spellings_agree(data, entries):
            return None
        return Columns(doc.drop(self.array_name).row(0, named=True), entries, encoding)

    def _spellings_agree(self, data: bytes, entries: pl.DataFrame) -> bool:
        """The per-entry reader takes the first spelling an entry has as a key, even with a null value:
        the columns read the same only if one spelling carries values and no earlier one appears."""
        if not self.aliased or not entries.height:
            return True
        present = entries.lazy().select(
            _path((*steps, key)).is_not_null().any().alias(f"{i}:{key}")
            for i, (steps, keys) in enumerate(self.aliased) for key in keys).collect(optimizations=_AS_WRITTEN).row(0)
        keys_present = iter(present)
        for steps, keys in self.aliased:
            used = [k for k in keys if next(keys_present)]
            if len(used) > 1 or (used and any(f'"{k}"'.encode() in data for k in keys[:keys.index(used[0])])):
                return False
        return True

    def frame(self, entries: pl.DataFrame, fixed: dict[str, Any]) -> pl.DataFrame | None:
        """What rows_to_frame makes of the same entries, or None when it would quarantine any of them."""
        if entries.lazy().select(self.any_bad).collect(optimizations=_AS_WRITTEN).item():
            return None
        values = entries.lazy().select(self.values).collect(optimizations=_AS_WRITTEN)
        return values.with_columns(pl.lit(fixed[name], dtype).alias(name)
                                   for name, dtype in self.fixed_schema.items()).select(self.columns)
