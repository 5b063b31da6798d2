"""Template parameters: declared with a type in reporting.templates.parameters, parsed, validated, then bound
by the driver (never formatted into the SQL)."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from decimal import Decimal, InvalidOperation

TYPES = ("date", "integer", "numeric", "text", "boolean", "uuid")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
_RELATIVE_DAY = re.compile(r"^today(?:\s*([+-])\s*(\d+)\s*([dw]))?$")
_TRUE, _FALSE = {"true", "yes", "y", "1", "on"}, {"false", "no", "n", "0", "off"}


class ParameterError(ValueError):
    """A parameter value or declaration is wrong; the message names the template and the parameter."""


def placeholders(sql_text: str) -> set[str]:
    return set(PLACEHOLDER.findall(sql_text))


def check_declarations(template: str, sql_text: str, declared: dict) -> None:
    """Every %(name)s in the SQL is declared with a known type, and every declaration is used."""
    used = placeholders(sql_text)
    if missing := sorted(used - set(declared)):
        raise ParameterError(f"template {template!r}: the SQL uses undeclared parameter(s) {', '.join(missing)}")
    if unused := sorted(set(declared) - used):
        raise ParameterError(
            f"template {template!r}: parameter(s) {', '.join(unused)} declared but not used in the SQL")
    for name, spec in declared.items():
        if not isinstance(spec, dict) or spec.get("type") not in TYPES:
            raise ParameterError(f"template {template!r}, parameter {name!r}: type must be one of {', '.join(TYPES)}")


def parse_pairs(pairs: list[str] | None) -> dict[str, str]:
    """`--param k=v` options into a dict (the values stay text until resolved against the declarations)."""
    values: dict[str, str] = {}
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ParameterError(f"--param {pair!r}: expected NAME=VALUE")
        values[name.strip()] = value.strip()
    return values


def resolve(template: str, declared: dict, given: dict, today: dt.date) -> dict:
    """The values to bind: given ones parsed to their declared type, defaults for the rest.

    `today` anchors relative dates ('today', 'today-7d', 'today+2w'); a scheduled export passes its tick's
    day so re-running the same period binds the same values."""
    if unknown := sorted(set(given) - set(declared)):
        known = ", ".join(sorted(declared)) or "none"
        raise ParameterError(f"template {template!r} has no parameter {', '.join(unknown)} (its parameters: {known})")
    values = {}
    for name, spec in declared.items():
        if name in given:
            raw = given[name]
        elif "default" in spec:
            raw = spec["default"]
        else:
            raise ParameterError(f"template {template!r}: parameter {name!r} ({spec['type']}) is required: "
                                 f"--param {name}=VALUE")
        values[name] = _coerce(template, name, spec, raw, today)
    return values


def _coerce(template: str, name: str, spec: dict, raw, today: dt.date):
    kind = spec["type"]
    if raw is None or (isinstance(raw, str) and raw == "" and kind != "text"):
        return None
    where = f"template {template!r}, parameter {name!r}"
    try:
        value = _PARSERS[kind](raw, today)
    except (ValueError, TypeError, InvalidOperation):
        raise ParameterError(f"{where}: expected {_EXPECTED[kind]}, got {raw!r}") from None
    if "choices" in spec and value not in spec["choices"]:
        raise ParameterError(f"{where}: {value!r} is not one of {', '.join(map(str, spec['choices']))}")
    if "min" in spec and value < _PARSERS[kind](spec["min"], today):
        raise ParameterError(f"{where}: {value} is below the minimum {spec['min']}")
    if "max" in spec and value > _PARSERS[kind](spec["max"], today):
        raise ParameterError(f"{where}: {value} is above the maximum {spec['max']}")
    return value


def _date(raw, today: dt.date) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    text = str(raw).strip().lower()
    if m := _RELATIVE_DAY.match(text):
        sign, count, unit = m.groups()
        if not sign:
            return today
        days = int(count) * (7 if unit == "w" else 1)
        return today + dt.timedelta(days=days if sign == "+" else -days)
    return dt.date.fromisoformat(text)


def _integer(raw, today) -> int:
    if isinstance(raw, bool):
        raise ValueError
    if isinstance(raw, int):
        return raw
    return int(str(raw).strip())


def _numeric(raw, today) -> Decimal:
    if isinstance(raw, bool):
        raise ValueError
    value = Decimal(str(raw).strip())
    if not value.is_finite():
        raise ValueError
    return value


def _boolean(raw, today) -> bool:
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError


def _text(raw, today) -> str:
    if not isinstance(raw, (str, int, float, Decimal)) or isinstance(raw, bool):
        raise ValueError
    return str(raw)


def _uuid(raw, today) -> str:
    return str(uuid.UUID(str(raw).strip()))


_PARSERS = {"date": _date, "integer": _integer, "numeric": _numeric, "boolean": _boolean, "text": _text, "uuid": _uuid}
_EXPECTED = {"date": "a date (YYYY-MM-DD, today, today-7d, today-4w)", "integer": "a whole number",
             "numeric": "a number", "boolean": "true or false", "text": "text", "uuid": "a UUID"}


def to_json(values: dict) -> dict:
    """The resolved values as stored in reporting.exports.parameters."""
    return {k: (v.isoformat() if isinstance(v, dt.date) else str(v) if isinstance(v, Decimal) else v)
            for k, v in values.items()}
