"""The rules engine: one tick evaluates every active rule set-based and performs (or rehearses) its action.

A tick builds the listing facts table once (sql/listing_facts.sql), then per rule runs ONE query (its
trigger and conditions compiled to parameterised SQL over the facts, joined to alerts, tasks or sync
times for event rules; cooldowns, the daily cap and windows already acted in are left out in SQL, from one
ledger summary per tick), and one data-modifying statement (orchestration.automation.actions) that claims
the (rule, listing, window) rows in workflow.rule_executions and acts for exactly the rows it claimed. Nothing runs per listing, except the Listings
Items API calls of live price changes.

Modes: `act` (the rule acts; a rule with dry_run=true rehearses: ledger rows are dry_run with a 'dry:'
window and nothing else changes) and `preview` (reads only: what it would do and why, for
`listing-helper rules dry-run` and backtests).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import psycopg
from psycopg import sql

from orchestration.automation import actions, batch, pricing
from orchestration.automation.fields import FIELDS, RuleError, compile_condition, compile_conditions
from orchestration.automation.marts import query as mart_query
from orchestration.automation.rules import COMPETITIVE_EVENTS, Rule, load_rules, validate_rule
from orchestration.automation.schedule import latest_tick
from orchestration.tasks.priority import score_tasks

log = logging.getLogger(__name__)
FACTS_TABLE = "rule_facts"
EVENT_LOOKBACK = dt.timedelta(days=2)


@dataclass
class Match:
    listing_id: str
    window_key: str
    facts: dict
    trigger: dict | None
    held: str | None = None

    def why(self, rule: Rule) -> str:
        decisive = _decisive_fields(rule)
        shown = [f"{k}={v}" for k, v in self.facts.items() if k in decisive]
        if self.trigger:
            shown.insert(0, ", ".join(f"{k}={v}" for k, v in self.trigger.items()))
        return "; ".join(shown)


@dataclass
class RuleOutcome:
    rule: Rule
    matches: list[Match] = field(default_factory=list)
    acted: int = 0
    lines: list[str] = field(default_factory=list)
    skipped: str | None = None   # why the rule did not run (invalid, not due)

    @property
    def held(self) -> Counter:
        return Counter(m.held.split(":")[0] for m in self.matches if m.held)


@dataclass
class TickReport:
    as_of: dt.datetime
    mode: str
    outcomes: list[RuleOutcome] = field(default_factory=list)
    queries: Counter = field(default_factory=Counter)
    query_seconds: defaultdict = field(default_factory=lambda: defaultdict(float))
    seconds: float = 0.0

    @property
    def acted(self) -> int:
        return sum(o.acted for o in self.outcomes)

    def summary(self) -> str:
        fired = [o for o in self.outcomes if o.acted]
        return (f"{len(self.outcomes)} rules evaluated, {sum(len(o.matches) for o in self.outcomes)} matches, "
                f"{self.acted} actions ({self.mode}) by {len(fired)} rules in {self.seconds:.2f}s")


def _decisive_fields(rule: Rule) -> set[str]:
    """The fields a rule's trigger and conditions test (computed once per rule object: why() asks per match)."""
    cached = rule.__dict__.get("_decisive")
    if cached is None:
        cached = rule.__dict__["_decisive"] = _compute_decisive_fields(rule)
    return cached


def _compute_decisive_fields(rule: Rule) -> set[str]:
    names = set()
    if rule.trigger_type == "threshold":
        names.add(rule.trigger_config.get("metric") or rule.trigger_config.get("field"))
        value = rule.trigger_config.get("value")
        if isinstance(value, dict):
            names.add(value.get("field"))
    if rule.trigger_type == "competitive" and rule.trigger_config.get("event") == "competitor_undercut":
        names.add("competitor.max_undercut_pct")
    for cond in rule.conditions or []:
        names.add(cond.get("field"))
    return {n for n in names if n}


class Engine:
    def __init__(self, conn: psycopg.Connection, *, as_of: dt.datetime | None = None, live_facts: bool = True,
                 dagster_run_id: str | None = None, price_submitter=None, batched: bool = True):
        self.conn = conn
        self.batched = batched
        self.as_of = as_of or dt.datetime.now(dt.timezone.utc)
        self.live_facts = live_facts
        self.run_id = dagster_run_id
        self.price_submitter = price_submitter
        self.report = TickReport(self.as_of, "act")
        # Backtests replay cooldowns and daily caps against this in-memory ledger, not the table:
        # {rule id: [(listing id, window key, acted at)]}
        self.simulated_ledger: dict | None = None
        self.prices_rehearsed: bool | None = None
        # Acting ticks: {(rule id, dry_run): (executions today, executions recent enough to hold anything back)}
        self.ledger_summary: dict | None = None

    # ----- bookkeeping ------------------------------------------------------------------------------------
    def _run(self, label: str, statement, params=None):
        start = time.perf_counter()
        cur = self.conn.execute(statement, params)
        self.report.queries[label] += 1
        self.report.query_seconds[label] += time.perf_counter() - start
        return cur

    # ----- facts --------------------------------------------------------------------------------------------
    def build_facts(self) -> int:
        """The facts table for this tick (a temporary table, rebuilt each tick); returns its row count."""
        self._run("drop facts", sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(sql.Identifier(FACTS_TABLE)))
        statement = sql.SQL("CREATE TEMP TABLE {} AS ").format(sql.Identifier(FACTS_TABLE)) + mart_query(
            self.conn, "listing_facts")
        rows = self._run("build facts", statement, {"as_of": self.as_of, "live": self.live_facts}).rowcount
        self._run("index facts", sql.SQL("CREATE INDEX ON pg_temp.{} (listing_id)").format(
            sql.Identifier(FACTS_TABLE)))
        # Matches are taken in SKU order up to the daily cap: walking this index stops after the cap's worth
        # of matches instead of scanning and sorting every listing, once per rule.
        self._run("index facts", sql.SQL("CREATE INDEX ON pg_temp.{} (\"listing.sku\")").format(
            sql.Identifier(FACTS_TABLE)))
        self._run("analyze facts", sql.SQL("ANALYZE pg_temp.{}").format(sql.Identifier(FACTS_TABLE)))
        return rows

    def drop_facts(self) -> None:
        self._run("drop facts", sql.SQL("DROP TABLE IF EXISTS pg_temp.{}").format(sql.Identifier(FACTS_TABLE)))

    @property
    def _acting(self) -> bool:
        return self.simulated_ledger is None and self.report.mode == "act"

    def load_ledger_summary(self) -> None:
        """One query for every rule: how often it acted today, and whether it acted recently enough (its
        cooldown, or 8 days: a weekly schedule's window, the event look-back) to hold any listing back."""
        day_start = dt.datetime.combine(self.as_of.date(), dt.time(), tzinfo=dt.timezone.utc)
        rows = self._run("ledger summary (one per tick)", """
            SELECT e.rule_id::text, e.dry_run, count(*) FILTER (WHERE e.created_at >= %(day)s), count(*)
            FROM workflow.rule_executions e JOIN workflow.automation_rules r ON r.id = e.rule_id
            WHERE r.is_active AND e.status <> 'failed'
              AND e.created_at > %(as_of)s - greatest(make_interval(mins => r.cooldown_minutes), interval '8 days')
            GROUP BY 1, 2""", {"day": day_start, "as_of": self.as_of}).fetchall()
        self.ledger_summary = {(r, d): (today, recent) for r, d, today, recent in rows}

    def _rehearses(self, rule: Rule) -> bool:
        """A rule rehearses when it says so; a price change also when the setting or a missing SP-API client does."""
        if rule.action_type in ("update_price", "apply_template"):  # both change the listing on Amazon
            if self.prices_rehearsed is None:
                self.prices_rehearsed = pricing.auto_change_settings(self.conn).dry_run or self.price_submitter is None
            return rule.dry_run or self.prices_rehearsed
        return rule.dry_run

    # ----- matching -----------------------------------------------------------------------------------------
    def match_query(self, rule: Rule, since: dt.datetime) -> tuple[sql.Composable, list] | None:
        """The rule's one query: (listing_id, window key, trigger detail, referenced facts...). None = not due."""
        facts = sql.Identifier(FACTS_TABLE)
        wanted = sorted(_decisive_fields(rule) | {"listing.sku"} | set(rule.template_fields))
        fact_cols = sql.SQL(", ").join(sql.SQL("f.{}").format(sql.Identifier(n)) for n in wanted)
        conditions, cond_params = compile_conditions(rule.conditions)
        day_key = self.as_of.date().isoformat()
        config = rule.trigger_config
        source = sql.SQL("{} f").format(facts)
        window, detail = sql.SQL("%s::text"), sql.SQL("NULL::jsonb")
        head_params: list = [day_key]
        trigger, trig_params = sql.SQL("TRUE"), []
        if rule.trigger_type == "threshold":
            trigger, trig_params = compile_condition(config, "trigger")
        elif rule.trigger_type == "competitive" and config["event"] == "competitor_undercut":
            trigger = sql.SQL('f."competitor.max_undercut_pct" >= %s::numeric')
            trig_params = [config["threshold_pct"]]
        elif rule.trigger_type in ("competitive", "event") and (
                rule.trigger_type == "competitive" or config["event_type"] == "alert.created"):
            alert_type = COMPETITIVE_EVENTS[config["event"]][1] if rule.trigger_type == "competitive" else None
            source = sql.SQL("competitors.alerts a CROSS JOIN LATERAL unnest(a.affected_listings) AS al(listing_id) "
                             "JOIN {} f ON f.listing_id = al.listing_id").format(facts)
            window, head_params = sql.SQL("'alert:' || a.id::text"), []
            detail = sql.SQL("jsonb_build_object('alert', a.alert_type, 'change_pct', a.change_pct, "
                             "'new_value', a.new_value, 'severity', a.severity)")
            trigger = sql.SQL("a.created_at > %s AND a.created_at <= %s AND (%s::text IS NULL OR a.alert_type = %s) "
                              "AND abs(coalesce(a.change_pct, 0)) >= %s::numeric")
            trig_params = [since, self.as_of, alert_type, alert_type, config.get("threshold_pct", 0)]
        elif rule.trigger_type == "event" and config["event_type"] == "listing.synced":
            source = sql.SQL("{} f JOIN catalog.listings l ON l.id = f.listing_id").format(facts)
            window, head_params = sql.SQL("'synced:' || l.last_synced_at::text"), []
            detail = sql.SQL("jsonb_build_object('synced_at', l.last_synced_at)")
            trigger = sql.SQL("l.last_synced_at > %s AND l.last_synced_at <= %s")
            trig_params = [since, self.as_of]
        elif rule.trigger_type == "event" and config["event_type"] == "task.completed":
            source = sql.SQL("{} f JOIN workflow.tasks t ON t.listing_id = f.listing_id").format(facts)
            window, head_params = sql.SQL("'task:' || t.id::text"), []
            detail = sql.SQL("jsonb_build_object('task', t.title, 'completed_at', t.completed_at)")
            trigger = sql.SQL("t.completed_at > %s AND t.completed_at <= %s")
            trig_params = [since, self.as_of]
        elif rule.trigger_type == "time_based":
            tick = latest_tick(config["cron"], self.as_of)
            if tick is None or (self.simulated_ledger is None and tick < rule.created_at):
                return None
            head_params = [f"cron:{tick.isoformat()}"]
        statement = sql.SQL("SELECT f.listing_id, {window} AS window_key, {detail} AS trigger_detail, {cols} "
                            "FROM {source} WHERE ({trigger}) AND ({conditions})").format(
            window=window, detail=detail, cols=fact_cols, source=source, trigger=trigger, conditions=conditions)
        params = [*head_params, *trig_params, *cond_params]
        today, recent = (self.ledger_summary or {}).get((rule.id, self._rehearses(rule)), (0, 0))
        if self._acting and (recent or self.ledger_summary is None):
            # Acting: leave out, in SQL, what the ledger already holds back (this window done, or cooling
            # down), and fetch no more than the daily cap, so a broad rule does not ship every match here.
            # A rule that acted on nothing recently (the ledger summary says so) needs no such filter.
            # Hashed subplans (computed once per rule), not a probe per matching listing. A rule with one
            # window for all listings (threshold, undercut, schedule) needs one set of listings to leave out.
            rehearses = self._rehearses(rule)
            prefix = "dry:" if rehearses else ""
            cooldown_from = self.as_of - dt.timedelta(minutes=rule.cooldown_minutes)
            constant_window = window.as_string(None) == "%s::text"
            if constant_window:
                statement = sql.SQL(
                    "SELECT * FROM ({}) m WHERE m.listing_id NOT IN (SELECT e.entity_id FROM workflow.rule_executions e "
                    "WHERE e.rule_id = %s::uuid AND e.status <> 'failed' "
                    "AND (e.window_key = %s OR (e.dry_run = %s AND e.created_at > %s)))").format(statement)
                params += [rule.id, prefix + head_params[0], rehearses, cooldown_from]
            else:
                statement = sql.SQL(
                    "SELECT * FROM ({}) m WHERE m.listing_id NOT IN (SELECT e.entity_id FROM workflow.rule_executions e "
                    "WHERE e.rule_id = %s::uuid AND e.dry_run = %s AND e.status <> 'failed' AND e.created_at > %s) "
                    "AND (%s || m.window_key, m.listing_id) NOT IN (SELECT e.window_key, e.entity_id "
                    "FROM workflow.rule_executions e WHERE e.rule_id = %s::uuid AND e.status <> 'failed')"
                ).format(statement)
                params += [rule.id, rehearses, cooldown_from, prefix, rule.id]
        # One window for every listing (threshold, undercut, schedule): SKU order alone, which the facts index
        # serves, so a capped rule reads listings only until it has its cap of matches.
        order = sql.SQL('"listing.sku"' if window.as_string(None) == "%s::text" else 'window_key, "listing.sku"')
        statement = sql.SQL("SELECT listing_id::text, window_key, trigger_detail, {cols} FROM ({q}) AS x "
                            "ORDER BY {order}").format(
            q=statement, cols=sql.SQL(", ").join(sql.Identifier(n) for n in wanted), order=order)
        if self._acting and rule.max_daily_triggers:
            statement += sql.SQL(" LIMIT %s")
            params.append(max(rule.max_daily_triggers - today, 0))
        return statement, params, wanted

    def evaluate(self, rule: Rule, *, rehearsal: bool, since: dt.datetime | None = None) -> RuleOutcome:
        """Matches of one rule with, for each, why it is held back (already acted, cooldown, daily cap) if it is."""
        outcome = RuleOutcome(rule)
        try:
            validate_rule(rule)
        except RuleError as exc:
            outcome.skipped = f"invalid rule: {exc}"
            return outcome
        since = since or max(rule.created_at, self.as_of - EVENT_LOOKBACK)
        if self._acting and self.ledger_summary is not None and rule.max_daily_triggers:
            today = self.ledger_summary.get((rule.id, rehearsal), (0, 0))[0]
            if today >= rule.max_daily_triggers:
                outcome.skipped = f"daily cap reached ({today} of {rule.max_daily_triggers} today)"
                return outcome
        built = self.match_query(rule, since)
        if built is None:
            outcome.skipped = "schedule not due"
            return outcome
        statement, params, wanted = built
        rows = self._run("match (one per rule)", statement, params).fetchall()
        outcome.matches = [Match(r[0], r[1], dict(zip(wanted, r[3:])), r[2]) for r in rows]
        if outcome.matches and not (self._acting and self.ledger_summary is not None):
            self._hold_back(rule, outcome.matches, rehearsal)  # acting ticks left these out in SQL already
        return outcome

    def _hold_back(self, rule: Rule, matches: list[Match], rehearsal: bool) -> None:
        prefix = "dry:" if rehearsal else ""
        day_start = dt.datetime.combine(self.as_of.date(), dt.time(), tzinfo=dt.timezone.utc)
        cooldown_from = self.as_of - dt.timedelta(minutes=rule.cooldown_minutes)
        if self.simulated_ledger is not None:
            ledger = self.simulated_ledger.setdefault(rule.id, [])
        else:
            ledger = self._run(
                "ledger (one per matching rule)",
                "SELECT entity_id::text, window_key, created_at FROM workflow.rule_executions "
                "WHERE rule_id = %s AND dry_run = %s AND status <> 'failed' "
                "AND (created_at >= %s OR (entity_id = ANY(%s::uuid[]) AND window_key = ANY(%s)))",
                (rule.id, rehearsal, min(day_start, cooldown_from), [m.listing_id for m in matches],
                 [prefix + m.window_key for m in matches])).fetchall()
        done = {(e, w) for e, w, _ in ledger}
        last_acted = {}
        for entity, _, created in ledger:
            last_acted[entity] = max(created, last_acted.get(entity, created))
        today = sum(1 for _, _, created in ledger if created >= day_start)
        left = None if rule.max_daily_triggers is None else max(rule.max_daily_triggers - today, 0)
        for m in matches:
            if (m.listing_id, prefix + m.window_key) in done:
                m.held = f"already acted in window {m.window_key}"
            elif m.listing_id in last_acted and last_acted[m.listing_id] > cooldown_from:
                m.held = f"cooldown: acted {last_acted[m.listing_id]:%Y-%m-%d %H:%M} UTC, {rule.cooldown_minutes} min apart"
            elif left is not None and left <= 0:
                m.held = f"daily cap: {rule.max_daily_triggers} a day reached"
            elif left is not None:
                left -= 1
            if self.simulated_ledger is not None and not m.held:
                ledger.append((m.listing_id, prefix + m.window_key, self.as_of))

    # ----- acting -------------------------------------------------------------------------------------------
    def act(self, rule: Rule, outcome: RuleOutcome, rehearsal: bool) -> None:
        actions.act(self, rule, outcome, rehearsal)

    # ----- a whole tick -------------------------------------------------------------------------------------
    def tick(self, rules: list[Rule] | None = None, *, preview: bool = False) -> TickReport:
        """Evaluate (and unless `preview`, act on) every given rule, default all active ones; each rule runs in a
        savepoint of its own so one failing rule does not undo the others.

        Batched (the default): every rule is evaluated first (one query each), then the create_task, send_alert
        and tag_listing actions of all rules run as one statement per action type (orchestration.automation.batch);
        price changes act per rule. `batched=False` on the engine acts rule by rule (the reference path)."""
        started = time.perf_counter()
        self.report.mode = "preview" if preview else "act"
        rules = load_rules(self.conn) if rules is None else rules
        self.report.queries["load rules"] += 1
        self.build_facts()
        if not preview:
            self.load_ledger_summary()
        self.prices_rehearsed = pricing.auto_change_settings(self.conn).dry_run or self.price_submitter is None
        # One commit per tick: each rule runs in a savepoint of the tick's transaction, so a failing rule rolls
        # back alone, without paying a WAL flush per rule (a thousand rules, a thousand commits). A tick that
        # may submit live prices to Amazon keeps a commit per rule, so a submitted change is never left unrecorded.
        live_prices = not preview and not self.prices_rehearsed and any(
            r.action_type == "update_price" and not r.dry_run for r in rules)
        queued: list[tuple[int, Rule, RuleOutcome, bool]] = []
        with contextlib.nullcontext() if live_prices else self.conn.transaction():
            for ordinal, rule in enumerate(rules):
                rehearsal = self._rehearses(rule)
                try:
                    with self.conn.transaction():
                        outcome = self.evaluate(rule, rehearsal=rehearsal)
                        if preview:
                            outcome.lines = actions.preview_lines(self, rule, outcome)
                        elif outcome.skipped:
                            pass
                        elif self.batched and batch.batchable(rule):
                            if any(not m.held for m in outcome.matches):
                                queued.append((ordinal, rule, outcome, rehearsal))
                        else:
                            self.act(rule, outcome, rehearsal)
                except psycopg.Error as exc:
                    outcome = self._failed(rule, exc)
                self.report.outcomes.append(outcome)
            if queued:
                self._act_queued(queued)
            if not preview and any(o.acted and o.rule.action_type == "create_task" and not o.rule.dry_run
                                   for o in self.report.outcomes):
                # The tasks the rules created get the same priority as a person's, in one statement per tick.
                # Tasks the batch created are scored already; the per-rule path's are scored here. A failure
                # leaves them unscored (the next tick scores them), never undoes the actions.
                label, started_scoring = "score unscored tasks (one query, three if any)", time.perf_counter()
                try:
                    with self.conn.transaction():
                        score_tasks(self.conn, unscored_only=True, as_of=self.as_of)
                except psycopg.Error:
                    log.warning("scoring the new tasks failed; they stay unscored until the next tick", exc_info=True)
                self.report.queries[label] += 1
                self.report.query_seconds[label] += time.perf_counter() - started_scoring
        self.drop_facts()
        self.report.seconds = time.perf_counter() - started
        return self.report

    def _failed(self, rule: Rule, exc: Exception) -> RuleOutcome:
        log.exception("rule %s failed", rule.name)
        return RuleOutcome(rule, skipped=f"failed: {type(exc).__name__}: {exc}".splitlines()[0])

    def _act_queued(self, queued: list[tuple[int, Rule, RuleOutcome, bool]]) -> None:
        """The batched actions; if the batch fails, each of its rules acts alone so only a broken one fails."""
        try:
            with self.conn.transaction():
                batch.act_batch(self, queued)
            return
        except psycopg.Error:
            log.warning("the batched actions failed; acting rule by rule", exc_info=True)
        for ordinal, rule, outcome, rehearsal in queued:
            outcome.acted, outcome.lines = 0, []
            try:
                with self.conn.transaction():
                    self.act(rule, outcome, rehearsal)
            except psycopg.Error as exc:
                position = self.report.outcomes.index(outcome)
                self.report.outcomes[position] = self._failed(rule, exc)


def run_tick(conn: psycopg.Connection, *, as_of: dt.datetime | None = None, trigger_types: list[str] | None = None,
             dagster_run_id: str | None = None, price_submitter=None, batched: bool = True) -> TickReport:
    """Evaluate and act on the active rules (of the given trigger types); the sensors' and the demo's entry."""
    engine = Engine(conn, as_of=as_of, dagster_run_id=dagster_run_id, price_submitter=price_submitter,
                    batched=batched)
    return engine.tick(load_rules(conn, trigger_types=trigger_types))


def preview_rule(conn: psycopg.Connection, rule: Rule, *, as_of: dt.datetime | None = None) -> RuleOutcome:
    """What the rule would do now, and why, without writing anything."""
    return Engine(conn, as_of=as_of).tick([rule], preview=True).outcomes[0]


__all__ = ["Engine", "Match", "RuleOutcome", "TickReport", "run_tick", "preview_rule", "FIELDS"]
