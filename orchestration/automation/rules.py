"""Automation rules as the engine sees them: loaded from workflow.automation_rules and checked before saving.

`validate_rule` is the gate: a rule whose trigger, conditions or action names an unknown field, operator,
event or action, or carries a value of the wrong kind, is refused with a message naming the part.
`save_rule` refuses such a rule; rules written by hand into the table are checked again at every tick
and a broken one is skipped with its error (it never reaches SQL).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import psycopg
from psycopg.types.json import Jsonb

from orchestration.automation.fields import FIELDS, RuleError, compile_condition, compile_conditions
from orchestration.automation.schedule import valid_cron

COMPETITIVE_EVENTS = {
    # event: (needs threshold_pct, competitors.alerts type or None for the state-based undercut)
    "competitor_undercut": (True, None),
    "competitor_price_drop": (True, "price_drop"),
    "buy_box_lost": (False, "buy_box_lost"),
    "new_competitor": (False, "new_competitor"),
}
EVENT_TYPES = {"listing.synced", "task.completed", "alert.created"}
TASK_TYPES = {"optimization", "pricing", "competitive", "compliance", "launch", "other"}
SEVERITIES = {"low", "medium", "high", "critical"}
CHANNELS = {"webhook", "email"}
TEMPLATE_FIELD = re.compile(r"\{([A-Za-z0-9_.]+)\}")


@dataclass
class Rule:
    id: str
    name: str
    trigger_type: str
    trigger_config: dict
    conditions: list | None
    action_type: str
    action_config: dict
    cooldown_minutes: int
    max_daily_triggers: int | None
    dry_run: bool
    created_at: dt.datetime

    @property
    def template_fields(self) -> list[str]:
        text = " ".join(str(self.action_config.get(k, "")) for k in ("title_template", "message", "description"))
        return TEMPLATE_FIELD.findall(text)


def render(template: str, facts: dict) -> str:
    """Fill {field} placeholders from the facts; a missing value prints as 'n/a'."""
    def value(m):
        v = facts.get(m.group(1))
        return "n/a" if v is None else str(v)
    return TEMPLATE_FIELD.sub(value, template)


def _check_template(text, where: str) -> None:
    if not isinstance(text, str) or not text.strip():
        raise RuleError(f"{where}: needs non-empty text")
    for name in TEMPLATE_FIELD.findall(text):
        if name not in FIELDS:
            raise RuleError(f"{where}: unknown field {{{name}}} in the template")


def validate_trigger(trigger_type: str, config) -> None:
    where = f"trigger ({trigger_type})"
    if not isinstance(config, dict):
        raise RuleError(f"{where}: trigger_config must be an object")
    if trigger_type == "threshold":
        compile_condition(config, where)
        return
    if trigger_type == "competitive":
        event = config.get("event")
        if event not in COMPETITIVE_EVENTS:
            raise RuleError(f"{where}: unknown event {event!r}; known events: {', '.join(COMPETITIVE_EVENTS)}")
        needs_pct, _ = COMPETITIVE_EVENTS[event]
        pct = config.get("threshold_pct")
        if needs_pct and (isinstance(pct, bool) or not isinstance(pct, (int, float)) or pct < 0):
            raise RuleError(f"{where}: {event} needs threshold_pct, a number of percent >= 0")
        return
    if trigger_type == "time_based":
        if not valid_cron(config.get("cron")):
            raise RuleError(f"{where}: cron {config.get('cron')!r} is not a valid cron string")
        return
    if trigger_type == "event":
        if config.get("event_type") not in EVENT_TYPES:
            raise RuleError(f"{where}: unknown event_type {config.get('event_type')!r}; "
                            f"known: {', '.join(sorted(EVENT_TYPES))}")
        return
    raise RuleError(f"unknown trigger_type {trigger_type!r}")


def validate_action(action_type: str, config) -> None:
    where = f"action ({action_type})"
    if not isinstance(config, dict):
        raise RuleError(f"{where}: action_config must be an object")
    if action_type == "create_task":
        if config.get("task_type", "optimization") not in TASK_TYPES:
            raise RuleError(f"{where}: task_type must be one of {', '.join(sorted(TASK_TYPES))}")
        _check_template(config.get("title_template"), f"{where} title_template")
        if config.get("description") is not None:
            _check_template(config.get("description"), f"{where} description")
    elif action_type == "update_price":
        kind = config.get("change_type", "price_rules")
        if kind == "percentage":
            value = config.get("value")
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not -50 <= value <= 50 or value == 0:
                raise RuleError(f"{where}: a percentage change needs a value between -50 and 50, not 0")
        elif kind != "price_rules":
            raise RuleError(f"{where}: change_type must be price_rules or percentage, not {kind!r}")
    elif action_type == "send_alert":
        if config.get("severity", "medium") not in SEVERITIES:
            raise RuleError(f"{where}: severity must be one of {', '.join(sorted(SEVERITIES))}")
        if config.get("channel", "email") not in CHANNELS:
            raise RuleError(f"{where}: channel must be webhook or email")
        destination = config.get("destination", "default")
        if not isinstance(destination, str) or "/" in destination or "@" in destination:
            raise RuleError(f"{where}: destination is the name of a configured destination, not a URL or address")
        _check_template(config.get("message"), f"{where} message")
    elif action_type == "tag_listing":
        tag = config.get("tag")
        if not isinstance(tag, str) or not tag.strip() or len(tag) > 50:
            raise RuleError(f"{where}: tag must be non-empty text of at most 50 characters")
    elif action_type == "apply_template":
        template = config.get("template")
        if not isinstance(template, str) or not template.strip() or len(template) > 100:
            raise RuleError(f"{where}: template must be the name of a content template (listing-helper templates list)")
    else:
        raise RuleError(f"unknown action_type {action_type!r}")


def validate_rule(rule: Rule) -> None:
    validate_trigger(rule.trigger_type, rule.trigger_config)
    compile_conditions(rule.conditions)
    validate_action(rule.action_type, rule.action_config)
    if rule.cooldown_minutes is None or rule.cooldown_minutes < 0:
        raise RuleError("cooldown_minutes must be >= 0")
    if rule.max_daily_triggers is not None and rule.max_daily_triggers <= 0:
        raise RuleError("max_daily_triggers must be > 0 or empty")


_COLUMNS = ("id::text, name, trigger_type, trigger_config, conditions, action_type, action_config, "
            "cooldown_minutes, max_daily_triggers, dry_run, created_at")


def load_rules(conn: psycopg.Connection, *, active_only: bool = True, names: list[str] | None = None,
               trigger_types: list[str] | None = None) -> list[Rule]:
    where, params = ["TRUE"], []
    if active_only:
        where.append("is_active")
    if names is not None:
        where.append("name = ANY(%s)")
        params.append(names)
    if trigger_types is not None:
        where.append("trigger_type = ANY(%s)")
        params.append(trigger_types)
    rows = conn.execute(f"SELECT {_COLUMNS} FROM workflow.automation_rules WHERE {' AND '.join(where)} "
                        "ORDER BY name", params).fetchall()
    return [Rule(*row) for row in rows]


def find_rule(conn: psycopg.Connection, name: str) -> Rule:
    found = load_rules(conn, active_only=False, names=[name])
    if not found:
        raise RuleError(f"no rule named {name!r} (listing-helper rules list shows them)")
    return found[0]


def save_rule(conn: psycopg.Connection, *, name: str, trigger_type: str, trigger_config: dict, action_type: str,
              action_config: dict, conditions: list | None = None, description: str | None = None,
              cooldown_minutes: int = 60, max_daily_triggers: int | None = None, dry_run: bool = False,
              is_active: bool = True) -> str:
    """Insert or update a rule by name after checking it; returns its id. Refused rules raise RuleError."""
    rule = Rule("", name, trigger_type, trigger_config, conditions, action_type, action_config, cooldown_minutes,
                max_daily_triggers, dry_run, dt.datetime.now(dt.timezone.utc))
    validate_rule(rule)
    row = conn.execute(
        """
        INSERT INTO workflow.automation_rules (name, description, trigger_type, trigger_config, conditions,
            action_type, action_config, cooldown_minutes, max_daily_triggers, dry_run, is_active)
        VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
        ON CONFLICT (name) DO UPDATE SET description = EXCLUDED.description, trigger_type = EXCLUDED.trigger_type,
            trigger_config = EXCLUDED.trigger_config, conditions = EXCLUDED.conditions,
            action_type = EXCLUDED.action_type, action_config = EXCLUDED.action_config,
            cooldown_minutes = EXCLUDED.cooldown_minutes, max_daily_triggers = EXCLUDED.max_daily_triggers,
            dry_run = EXCLUDED.dry_run, is_active = EXCLUDED.is_active, updated_at = now()
        RETURNING id::text
        """,
        (name, description, trigger_type, Jsonb(trigger_config), Jsonb(conditions) if conditions is not None else None,
         action_type, Jsonb(action_config), cooldown_minutes, max_daily_triggers, dry_run, is_active)).fetchone()
    conn.execute("INSERT INTO system.audit_log (entity_type, entity_id, action, changes, source) "
                 "VALUES ('rule', %s, 'update', %s, 'user')",
                 (row[0], Jsonb({"name": name, "trigger_type": trigger_type, "action_type": action_type})))
    return row[0]
