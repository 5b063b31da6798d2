"""`listing-helper listings rollback SKU --to VERSION` and `listing-helper templates list|preview TEMPLATE SKU`."""

from __future__ import annotations

import argparse


def _connect():
    from orchestration import cli
    from orchestration.db import connection

    return connection.connect(cli._database_url(), autocommit=True)


def _submitter(conn):
    """The Listings Items client from the SP-API settings (environment first, then system.creds)."""
    from orchestration.content.listings_api import ListingsContentSubmitter
    from orchestration.spapi.client import SpApiConfig
    from orchestration.spapi.credentials import export_source_env

    export_source_env(conn)
    try:
        return ListingsContentSubmitter.from_config(SpApiConfig.from_env())
    except ValueError as exc:
        raise SystemExit(f"cannot reach the Listings Items API: {exc} (set LISTING_HELPER_SPAPI_* or "
                         "`listing-helper secrets set`)") from None


def _show(label: str, value) -> str:
    if value is None:
        return f"  {label}: (none)"
    if isinstance(value, list):
        return f"  {label}:\n" + "\n".join(f"    - {v}" for v in value)
    return f"  {label}: {value}"


def rollback(conn, sku: str, to_version: int, *, yes: bool, submitter_factory=_submitter, marketplace_id=None,
             out=print) -> int:
    """Show the diff from the live content to version `to_version`; with `yes`, push it and record the rollback."""
    from orchestration.content import versions
    from orchestration.content.checks import check_content

    listing = versions.listing_by_sku(conn, sku, marketplace_id)
    target = versions.version(conn, listing["listing_id"], to_version)
    current = versions.content_of(listing)
    wanted = versions.content_of(target)
    lines = versions.diff(current, wanted, "now", f"version {to_version}")
    if not lines:
        out(f"{sku}: the live content already equals version {to_version}; nothing to roll back")
        return 0
    out(f"{sku}: rolling back to version {to_version} ({target['change_type']}, "
        f"{target['created_at']:%Y-%m-%d %H:%M} UTC) changes:")
    for line in lines:
        out(f"  {line}")
    fields = versions.changed_fields(current, wanted)
    check = check_content({**current, **wanted}, tuple(fields))
    if not check.ok or check.warnings:
        out(f"  content rules: {check.summary()}")
    if not yes:
        out("nothing changed: run again with --yes to push this content to Amazon")
        return 0
    if "bullet_points" in fields and not wanted["bullet_points"]:
        out(f"{sku}: version {to_version} has no bullet points and Amazon cannot remove them; not rolled back")
        return 1
    changes = {f: wanted[f] for f in fields}
    submission = submitter_factory(conn).submit(conn, sku, changes)
    if submission.status != "accepted":
        out(f"{sku}: Amazon refused the rollback: {submission.error}; nothing recorded")
        return 1
    number = versions.record_version(conn, listing, changes, change_type="rollback", source="user",
                                     reason=f"rolled back to version {to_version}", rollback_of=to_version,
                                     audit_source="user")
    out(f"{sku}: rolled back to version {to_version} as version {number} (submission {submission.submission_id})")
    return 0


def cmd_rollback(args: argparse.Namespace) -> int:
    from orchestration.content.versions import ContentError

    with _connect() as conn:
        try:
            return rollback(conn, args.sku, args.to_version, yes=args.yes, marketplace_id=args.marketplace)
        except ContentError as exc:
            print(f"{args.sku}: {exc}")
            return 1


def cmd_templates_list(args: argparse.Namespace) -> int:
    from orchestration.content.templates import load_templates

    with _connect() as conn:
        templates = load_templates(conn)
        rules = conn.execute("SELECT action_config->>'template', string_agg(name, ', ' ORDER BY name) "
                             "FROM workflow.automation_rules WHERE action_type = 'apply_template' GROUP BY 1").fetchall()
    used = dict(rules)
    if not templates:
        print("no content templates (catalog.content_templates is empty)")
    for t in templates:
        state = "" if t.is_active else " [inactive]"
        print(f"{t.name}{state}: {', '.join(t.fields)}" + (f" - {t.description}" if t.description else ""))
        print(f"    used by rules: {used.get(t.name) or 'none'}")
    return 0


def preview(conn, template_name: str, sku: str, out=print, marketplace_id=None) -> int:
    from orchestration.content import versions
    from orchestration.content.apply import propose
    from orchestration.content.templates import find_template

    template = find_template(conn, template_name)
    listing = versions.listing_by_sku(conn, sku, marketplace_id)
    proposal = propose(template, listing)
    out(f"{sku} with template {template.name!r}: {proposal.status} (nothing written)")
    if proposal.changes:
        for line in versions.diff(versions.content_of(listing), proposal.changes, "now", template.name):
            out(f"  {line}")
    out(f"  {proposal.reason()}")
    return 1 if proposal.status in ("refused", "not applicable") else 0


def cmd_templates_preview(args: argparse.Namespace) -> int:
    from orchestration.content.templates import TemplateError
    from orchestration.content.versions import ContentError

    with _connect() as conn:
        try:
            return preview(conn, args.template, args.sku, marketplace_id=args.marketplace)
        except (TemplateError, ContentError) as exc:
            print(str(exc))
            return 1


def register(subparsers) -> None:
    """Adds `listings rollback` and `templates list|preview` (orchestration/cli.py calls this)."""
    listings = subparsers.add_parser("listings", help="listing content: rollback to an earlier version")
    verbs = listings.add_subparsers(dest="listings_command", required=True)
    back = verbs.add_parser("rollback", help="show the diff to an earlier content version; --yes pushes it")
    back.add_argument("sku")
    back.add_argument("--to", dest="to_version", type=int, required=True, metavar="VERSION",
                      help="the version number to restore (catalog.listing_versions)")
    back.add_argument("--yes", action="store_true", help="push the content to Amazon and record the rollback")
    back.add_argument("--marketplace", help="marketplace id, when the SKU is listed in several")
    back.set_defaults(func=cmd_rollback)

    templates = subparsers.add_parser("templates", help="content templates: list, preview on a listing")
    tverbs = templates.add_subparsers(dest="templates_command", required=True)
    tverbs.add_parser("list", help="the templates, their fields and the rules that use them"
                      ).set_defaults(func=cmd_templates_list)
    show = tverbs.add_parser("preview", help="what a template would make of a listing, checked; writes nothing")
    show.add_argument("template")
    show.add_argument("sku")
    show.add_argument("--marketplace", help="marketplace id, when the SKU is listed in several")
    show.set_defaults(func=cmd_templates_preview)


__all__ = ["register", "rollback", "preview"]
