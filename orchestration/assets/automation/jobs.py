"""The rules tick as a Dagster job: one op that evaluates the active rules (of some trigger types) and acts."""


import dagster as dg

from orchestration.automation.engine import run_tick
from orchestration.automation.pricing import ListingsPriceSubmitter, auto_change_settings
from orchestration.resources import WarehouseResource

TRIGGER_TYPES = ["threshold", "competitive", "time_based", "event"]


class RulesTickConfig(dg.Config):
    trigger_types: list[str] = TRIGGER_TYPES
    """Which rules to evaluate: the sensor that asked picks those its data can fire."""
    reason: str = ""
    """Why the tick runs (shown in the run's metadata): e.g. which assets materialized."""


def _price_submitter(log):
    """Listings Items API client for live price changes, built at run time from the SP-API settings in the
    environment (LISTING_HELPER_SPAPI_*, the same the SP-API resource binds); None rehearses prices."""
    from orchestration.spapi.client import SpApiConfig

    try:
        config = SpApiConfig.from_env()
    except ValueError as exc:
        log.warning(f"price changes are rehearsed: no SP-API client ({exc})")
        return None
    return ListingsPriceSubmitter.from_config(config)


@dg.op(description="Evaluate the active automation rules set-based and perform their actions (audited).")
def evaluate_rules(context: dg.OpExecutionContext, config: RulesTickConfig, warehouse: WarehouseResource):
    unknown = set(config.trigger_types) - set(TRIGGER_TYPES)
    if unknown:
        raise dg.Failure(f"unknown trigger types {sorted(unknown)}; known: {TRIGGER_TYPES}")
    with warehouse.connect(autocommit=True) as conn:
        submitter = None if auto_change_settings(conn).dry_run else _price_submitter(context.log)
        report = run_tick(conn, trigger_types=config.trigger_types, dagster_run_id=context.run_id,
                          price_submitter=submitter)
    failed = [o for o in report.outcomes if o.skipped and o.skipped.startswith(("invalid", "failed"))]
    for o in failed:
        context.log.warning(f"rule {o.rule.name!r} skipped: {o.skipped}")
    context.add_output_metadata({
        "reason": config.reason, "rules_evaluated": len(report.outcomes), "actions": report.acted,
        "matches": sum(len(o.matches) for o in report.outcomes),
        "by_rule": dg.MetadataValue.json({o.rule.name: {"matched": len(o.matches), "acted": o.acted,
                                                        "held_back": dict(o.held), "skipped": o.skipped}
                                          for o in report.outcomes}),
        "queries": dg.MetadataValue.json(dict(report.queries)), "seconds": round(report.seconds, 3)})
    return report.acted


@dg.job(description="One tick of the automation rules (tasks, alerts, tags, guarded price changes).",
        tags={"domain": "automation"})
def automation_rules_tick():
    evaluate_rules()
