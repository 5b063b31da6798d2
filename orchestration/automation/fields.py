"""The whitelist of fields and operators a rule may use, and their compilation to parameterised SQL.

A rule's trigger and conditions are data (JSONB written by the seller). They never reach SQL as text:
a field name selects a column of the listing facts table from this list (quoted with sql.Identifier),
an operator selects one of the fixed SQL templates below, and every value is a bound parameter. An
unknown field or operator is refused when the rule is saved (`validate_rule`), naming which.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from psycopg import sql


@dataclass(frozen=True)
class Field:
    kind: str  # text, number, boolean, text_list
    description: str


FIELDS: dict[str, Field] = {
    "listing.sku": Field("text", "The seller's SKU."),
    "listing.asin": Field("text", "The ASIN."),
    "listing.title": Field("text", "The title."),
    "listing.status": Field("text", "active, inactive, suppressed or incomplete."),
    "listing.fulfillment_channel": Field("text", "FBA or FBM."),
    "listing.custom_category": Field("text", "The seller's own category, e.g. power_tools."),
    "listing.product_group": Field("text", "Product group."),
    "listing.lifecycle_stage": Field("text", "launch, growth, mature, decline, discontinue or active."),
    "listing.brand": Field("text", "Brand."),
    "listing.tags": Field("text_list", "The listing's tags (use contains)."),
    "score.total": Field("number", "Listing quality score 0-100 (fct_listing_scores, latest day)."),
    "score.seo": Field("number", "Search score 0-100."),
    "score.content": Field("number", "Content score 0-100."),
    "score.image": Field("number", "Image score 0-100."),
    "score.competitive": Field("number", "Competitive score 0-100."),
    "score.compliance": Field("number", "Compliance score 0-100."),
    "score.top_fix": Field("text", "The listing's biggest fix (fct_listing_top_fixes)."),
    "price.current": Field("number", "Current price, GBP VAT inclusive."),
    "price.buy_box_price": Field("number", "Buy Box price, GBP."),
    "price.has_buy_box": Field("boolean", "True while we hold the Buy Box."),
    "price.min_price": Field("number", "The seller's minimum price, GBP."),
    "price.max_price": Field("number", "The seller's maximum price, GBP."),
    "performance.buy_box_pct_7d": Field("number", "Buy Box share over the last 7 days, 0-100."),
    "performance.sessions_7d": Field("number", "Sessions over the last 7 days."),
    "performance.units_ordered_7d": Field("number", "Units ordered over the last 7 days."),
    "performance.units_per_day_28d": Field("number", "Average units ordered per day over the last 28 days."),
    "margin.net_margin_pct": Field("number", "Net margin at the current price, % of the price ex VAT."),
    "margin.margin_floor_pct": Field("number", "The listing's margin floor, % of the price ex VAT."),
    "margin.meets_margin_floor": Field("boolean", "True when the net margin is at least the floor."),
    "margin.floor_price": Field("number", "Lowest price meeting the margin floor, GBP (fct_listing_margins)."),
    "margin.margin_is_complete": Field("boolean", "True when price, landed cost and fulfilment cost are known."),
    "stock.available_qty": Field("number", "Fulfillable units, all locations."),
    "stock.inbound_qty": Field("number", "Units on their way to Amazon (working, shipped, receiving)."),
    "stock.position_qty": Field("number", "Fulfillable plus inbound units: what you have before reordering."),
    "stock.lead_time_days": Field("number", "Slowest default supplier lead time in the bill of materials, days."),
    "stock.reorder_point": Field("number", "Your reorder point, else the latest reorder suggestion's (forecast), "
                                           "else sales per day x (lead time + automation.reorder_cover_days)."),
    "stock.reorder_now": Field("boolean", "The latest reorder suggestion says reorder now (forecasting)."),
    "stock.days_of_cover": Field("number", "Days of cover."),
    "competitor.rival_count": Field("number", "Rivals tracked for the listing."),
    "competitor.cheapest_rival_price": Field("number", "Cheapest in-stock rival price, GBP."),
    "competitor.max_undercut_pct": Field("number", "How much cheaper the cheapest in-stock rival is, % of our price."),
    "competitor.top_threat_score": Field("number", "Threat score of the biggest rival, 0-100."),
    "competitor.top_threat_reason": Field("text", "Why the biggest rival threatens, one line."),
}

# operator -> (kinds it applies to, SQL template over {col} and {val})
OPERATORS: dict[str, tuple[set[str], str]] = {
    "eq": ({"text", "number", "boolean"}, "{col} = {val}"),
    "ne": ({"text", "number", "boolean"}, "{col} IS DISTINCT FROM {val}"),
    "lt": ({"number"}, "{col} < {val}"),
    "lte": ({"number"}, "{col} <= {val}"),
    "gt": ({"number"}, "{col} > {val}"),
    "gte": ({"number"}, "{col} >= {val}"),
    "in": ({"text", "number"}, "{col} = ANY({val})"),
    "not_in": ({"text", "number"}, "NOT ({col} = ANY({val}))"),
    "contains": ({"text_list"}, "{val} = ANY({col})"),
    "not_contains": ({"text_list"}, "NOT ({val} = ANY({col}))"),
    "is_null": ({"text", "number", "boolean", "text_list"}, "{col} IS NULL"),
    "is_not_null": ({"text", "number", "boolean", "text_list"}, "{col} IS NOT NULL"),
}
NO_VALUE = {"is_null", "is_not_null"}
LIST_VALUE = {"in", "not_in"}
CASTS = {"text": "text", "number": "numeric", "boolean": "boolean", "text_list": "text"}


class RuleError(ValueError):
    """A rule that cannot be saved: the message says which part and why."""


def _field(name, where: str) -> Field:
    if not isinstance(name, str) or name not in FIELDS:
        raise RuleError(f"{where}: unknown field {name!r}; known fields: {', '.join(sorted(FIELDS))}")
    return FIELDS[name]


def _scalar(kind: str, value, where: str):
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
            raise RuleError(f"{where}: {value!r} is not a number")
        try:
            return Decimal(str(value))
        except InvalidOperation:
            raise RuleError(f"{where}: {value!r} is not a number") from None
    if kind == "boolean":
        if not isinstance(value, bool):
            raise RuleError(f"{where}: {value!r} is not true or false")
        return value
    if not isinstance(value, str):
        raise RuleError(f"{where}: {value!r} is not text")
    return value


def check_condition(cond, where: str) -> None:
    """Raise RuleError unless `cond` is {"field", "operator", "value"} from the whitelist with a fitting value."""
    compile_condition(cond, where)


def compile_condition(cond, where: str) -> tuple[sql.Composable, list]:
    """(SQL predicate over the facts table, its parameters). Values are always parameters, fields identifiers."""
    if not isinstance(cond, dict):
        raise RuleError(f"{where}: a condition is an object with field, operator and value")
    unknown_keys = set(cond) - {"field", "operator", "value", "metric"}
    if unknown_keys:
        raise RuleError(f"{where}: unknown key(s) {', '.join(sorted(unknown_keys))}")
    name = cond.get("field", cond.get("metric"))
    field = _field(name, where)
    op = cond.get("operator")
    if op not in OPERATORS:
        raise RuleError(f"{where}: unknown operator {op!r}; known operators: {', '.join(OPERATORS)}")
    kinds, template = OPERATORS[op]
    if field.kind not in kinds:
        raise RuleError(f"{where}: operator {op!r} does not apply to {name} ({field.kind})")
    col = sql.Identifier(name)
    if op in NO_VALUE:
        return sql.SQL(template).format(col=col, val=sql.SQL("")), []
    if "value" not in cond:
        raise RuleError(f"{where}: operator {op!r} needs a value")
    value = cond["value"]
    if isinstance(value, dict):  # compare with another field of the same kind
        if set(value) != {"field"} or op in LIST_VALUE:
            raise RuleError(f"{where}: a value object must be {{\"field\": name}} (not with {op!r})")
        other = _field(value["field"], where)
        if other.kind != field.kind:
            raise RuleError(f"{where}: cannot compare {name} ({field.kind}) with {value['field']} ({other.kind})")
        return sql.SQL(template).format(col=col, val=sql.Identifier(value["field"])), []
    cast = CASTS[field.kind]
    if op in LIST_VALUE:
        if not isinstance(value, list) or not value:
            raise RuleError(f"{where}: operator {op!r} needs a non-empty list")
        params = [_scalar(field.kind, v, where) for v in value]
        return sql.SQL(template).format(col=col, val=sql.SQL("%s::{}[]").format(sql.SQL(cast))), [params]
    if field.kind == "text_list":
        param = _scalar("text", value, where)
    else:
        param = _scalar(field.kind, value, where)
    return sql.SQL(template).format(col=col, val=sql.SQL("%s::{}").format(sql.SQL(cast))), [param]


def compile_conditions(conditions, where: str = "conditions") -> tuple[sql.Composable, list]:
    """AND of every condition; TRUE when there are none."""
    if conditions is None:
        return sql.SQL("TRUE"), []
    if not isinstance(conditions, list):
        raise RuleError(f"{where}: conditions must be a list")
    parts, params = [], []
    for i, cond in enumerate(conditions):
        predicate, values = compile_condition(cond, f"{where}[{i}]")
        parts.append(sql.SQL("({})").format(predicate))
        params.extend(values)
    return (sql.SQL(" AND ").join(parts) if parts else sql.SQL("TRUE")), params


def field_names(text: str) -> list[str]:
    """Fields named in a {field} template (title_template, message), so they can be checked and selected."""
    import string

    names = []
    for _, name, _, _ in string.Formatter().parse(text):
        if name is not None:
            names.append(name)
    return names
