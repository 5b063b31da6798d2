"""Parameter parsing and validation without a database: types, relative dates, required, choices, bounds."""

import datetime as dt
from decimal import Decimal

import pytest

from orchestration.reporting.parameters import ParameterError, check_declarations, parse_pairs, resolve

TODAY = dt.date(2026, 11, 20)
DECLARED = {
    "start_date": {"type": "date", "default": "today-7d"},
    "weeks": {"type": "integer", "default": 4, "min": 1, "max": 52},
    "max_margin_pct": {"type": "numeric", "default": None},
    "only_active": {"type": "boolean", "default": True},
    "listing": {"type": "uuid"},
}
LISTING = "7d7d2f0c-1a52-4a57-8a3b-4c1b2b7c0d11"


def test_defaults_fill_what_is_not_given_and_relative_dates_count_from_today():
    values = resolve("t", DECLARED, {"listing": LISTING}, TODAY)
    assert values == {"start_date": dt.date(2026, 11, 13), "weeks": 4, "max_margin_pct": None,
                      "only_active": True, "listing": LISTING}


@pytest.mark.parametrize("text, expected", [("today", TODAY), ("today-2w", dt.date(2026, 11, 6)),
                                            ("today+3d", dt.date(2026, 11, 23)), ("2026-01-31", dt.date(2026, 1, 31))])
def test_dates_accept_iso_and_relative_days(text, expected):
    assert resolve("t", DECLARED, {"start_date": text, "listing": LISTING}, TODAY)["start_date"] == expected


def test_text_from_the_command_line_is_parsed_to_the_declared_type():
    values = resolve("t", DECLARED, {"weeks": "12", "max_margin_pct": "7.5", "only_active": "no", "listing": LISTING},
                     TODAY)
    assert (values["weeks"], values["max_margin_pct"], values["only_active"]) == (12, Decimal("7.5"), False)


@pytest.mark.parametrize("given, message", [
    ({"weeks": "four"}, "parameter 'weeks': expected a whole number, got 'four'"),
    ({"weeks": "0"}, "parameter 'weeks': 0 is below the minimum 1"),
    ({"weeks": "53"}, "parameter 'weeks': 53 is above the maximum 52"),
    ({"start_date": "last tuesday"}, "parameter 'start_date': expected a date"),
    ({"max_margin_pct": "NaN"}, "parameter 'max_margin_pct': expected a number"),
    ({"listing": "abc"}, "parameter 'listing': expected a UUID"),
])
def test_a_bad_value_names_the_template_and_parameter(given, message):
    with pytest.raises(ParameterError, match=f"template 'report', {message}"):
        resolve("report", DECLARED, {"listing": LISTING, **given}, TODAY)


def test_a_parameter_without_default_is_required():
    with pytest.raises(ParameterError, match="parameter 'listing' \\(uuid\\) is required: --param listing=VALUE"):
        resolve("report", DECLARED, {}, TODAY)


def test_param_pairs_need_a_name_and_an_equals_sign():
    assert parse_pairs(["weeks=4", "note=a=b"]) == {"weeks": "4", "note": "a=b"}
    with pytest.raises(ParameterError, match="expected NAME=VALUE"):
        parse_pairs(["weeks"])


def test_declarations_must_match_the_placeholders_and_known_types():
    with pytest.raises(ParameterError, match="declared but not used in the SQL"):
        check_declarations("t", "select 1", {"weeks": {"type": "integer"}})
    with pytest.raises(ParameterError, match="type must be one of"):
        check_declarations("t", "select %(weeks)s", {"weeks": {"type": "int"}})
