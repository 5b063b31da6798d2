"""Applying a content template: render it for a listing, check the result against the content rules, propose it.

`propose` is pure (reads only): what the template would change and whether the content rules let it.
`apply_template` is the automation action: it claims the (rule, listing, window) rows like every action,
then per claimed listing proposes; a proposal that passes is pushed through Listings Items (validation
preview, then the patch) only when the seller allows live changes (setting pricing.auto_change.dry_run
false, the same switch as prices), the rule is not a rehearsal and an SP-API client is configured.
Accepted content becomes a catalog.listing_versions row (change_type 'auto', change_source the rule id).
Otherwise it is a dry run: the rendered content, the checks and (with a client) the validation preview are
recorded in the rule execution, under a 'dry:' window, and nothing changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from psycopg.types.json import Jsonb

from orchestration.content import versions
from orchestration.content.checks import ContentCheck, check_content
from orchestration.content.listings_api import ListingsContentSubmitter
from orchestration.content.templates import Template, TemplateError, find_template, render

if TYPE_CHECKING:
    from orchestration.automation.engine import Engine, RuleOutcome
    from orchestration.automation.rules import Rule


@dataclass
class Proposal:
    listing: dict
    template: Template
    content: dict | None = None         # the template's fields, rendered
    changes: dict | None = None         # the rendered fields that differ from the live content
    check: ContentCheck | None = None
    problem: str | None = None          # the template does not fit the listing

    @property
    def status(self) -> str:
        if self.problem:
            return "not applicable"
        if not self.changes:
            return "unchanged"
        return "refused" if not self.check.ok else "ready"

    def reason(self) -> str:
        if self.problem:
            return self.problem
        if not self.changes:
            return "the template gives the content the listing already has"
        return self.check.summary()

    def as_json(self) -> dict:
        return {"template": self.template.name, "status": self.status, "reason": self.reason(),
                "fields": sorted(self.changes or {}), "proposed": self.changes or {},
                "errors": self.check.errors if self.check else [], "warnings": self.check.warnings if self.check else []}


def propose(template: Template, listing: dict) -> Proposal:
    proposal = Proposal(listing, template)
    if not template.is_active:
        proposal.problem = f"template {template.name!r} is inactive"
        return proposal
    try:
        proposal.content = render(template, listing)
    except TemplateError as exc:
        proposal.problem = str(exc)
        return proposal
    current = versions.content_of(listing)
    fields = versions.changed_fields(current, proposal.content)
    proposal.changes = {f: proposal.content[f] for f in fields}
    # The whole field set the template writes is checked (repetition and search terms read the title too).
    proposal.check = check_content({**current, **proposal.content}, tuple(proposal.content))
    return proposal


def content_live(engine: "Engine", rule: "Rule", rehearsal: bool) -> bool:
    from orchestration.automation.pricing import auto_change_settings

    return not rehearsal and engine.price_submitter is not None and not auto_change_settings(engine.conn).dry_run


def apply_template(engine: "Engine", rule: "Rule", outcome: "RuleOutcome", todo: list, rehearsal: bool) -> None:
    """The apply_template action for the rule's matches that nothing holds back (see the module doc)."""
    from orchestration.automation.actions import _statement

    conn = engine.conn
    live = content_live(engine, rule, rehearsal)
    prefix = "" if live else "dry:"
    by_listing = {m.listing_id: m for m in todo}
    name = rule.action_config.get("template")
    claimed = engine._run(
        "claim template windows (one per template rule)",
        _statement("claim_windows") + "SELECT entity_id::text FROM claimed",
        {"rule": rule.id, "run": engine.run_id, "dry": not live, "action": "apply_template", "at": engine.as_of,
         "listing": [m.listing_id for m in todo], "window": [prefix + m.window_key for m in todo],
         "text": [f"apply template {name}" for _ in todo],
         "why": [Jsonb({"why": m.why(rule), "trigger": m.trigger}) for m in todo]}).fetchall()
    claimed = sorted(r[0] for r in claimed)
    outcome.acted = len(claimed)
    if not claimed:
        return
    try:
        template = find_template(conn, name)
        problem = None
    except TemplateError as exc:
        template, problem = None, str(exc)
    rows = versions.listings(conn, claimed)
    submitter = (ListingsContentSubmitter.from_price_submitter(engine.price_submitter)
                 if engine.price_submitter is not None else None)
    results = []
    for listing_id in claimed:
        m, listing = by_listing[listing_id], rows[listing_id]
        if template is None:
            result, status = {"template": name, "status": "failed", "reason": problem}, "failed"
        else:
            proposal = propose(template, listing)
            result, status = proposal.as_json(), "skipped"
            if proposal.status == "ready":
                status = "succeeded"
                if live:
                    sub = submitter.submit(conn, listing["sku"], proposal.changes)
                    result.update(status=sub.status, submission_id=sub.submission_id, error=sub.error)
                    if sub.status == "accepted":
                        result["version"] = versions.record_version(
                            conn, listing, proposal.changes, change_type="auto", source=rule.id,
                            reason=f"template {template.name!r} by rule {rule.name!r}")
                    else:
                        status = "failed"
                else:
                    result["status"] = "dry run"
                    if submitter is not None:
                        sub = submitter.submit(conn, listing["sku"], proposal.changes, preview_only=True)
                        result.update(validation_preview=sub.status, error=sub.error)
        results.append((listing_id, prefix + m.window_key, status, Jsonb({**result, "why": m.why(rule),
                                                                          "dry_run": not live})))
        verb = "proposed" if live else "would propose"
        outcome.lines.append(f"{listing['sku']}: {verb} template {name!r}: {result['status']} "
                             f"({result.get('error') or result.get('reason')})")
    engine._run("record template outcomes (one per template rule)",
                "UPDATE workflow.rule_executions e SET status = x.status, outcome = e.outcome || x.outcome, "
                "finished_at = now() FROM unnest(%s::uuid[], %s::text[], %s::text[], %s::jsonb[]) "
                "AS x(listing_id, window_key, status, outcome) "
                "WHERE e.rule_id = %s AND e.entity_id = x.listing_id AND e.window_key = x.window_key",
                ([r[0] for r in results], [r[1] for r in results], [r[2] for r in results], [r[3] for r in results],
                 rule.id))
    if live:
        engine._run("rule counters", "UPDATE workflow.automation_rules SET last_triggered_at = now(), "
                    "trigger_count = trigger_count + %s WHERE id = %s", (len(claimed), rule.id))
