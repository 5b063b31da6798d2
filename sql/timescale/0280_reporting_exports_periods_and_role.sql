-- 0280_reporting: scheduled exports are idempotent per (schedule, period), and report templates run as a
-- read-only role that sees the marts and the seller's report tables, never secrets, raw data or settings.
-- (docs/decisions/2026-11-26-reporting-exports-and-role.md)

-- The schedule tick an export was made for (NULL for on-demand exports). One export per schedule and tick:
-- a re-run of the same tick finds the row and does not write a second file.
ALTER TABLE reporting.exports ADD COLUMN IF NOT EXISTS period_start TIMESTAMPTZ;
-- The database role the template's SQL ran as ('listing_helper_reports', or the connecting user when the
-- role is not available), so a reader can tell how the export was sandboxed.
ALTER TABLE reporting.exports ADD COLUMN IF NOT EXISTS ran_as VARCHAR(63);
CREATE UNIQUE INDEX IF NOT EXISTS uq_exports_schedule_period
    ON reporting.exports (schedule_id, period_start) WHERE schedule_id IS NOT NULL;
COMMENT ON COLUMN reporting.exports.period_start IS
    'The schedule tick (UTC) this export is for; one export per (schedule, tick). NULL for on-demand exports.';

-- listing_helper_reports: SELECT on the marts and on the operational tables the built-in templates read.
-- The exporter runs each template inside a READ ONLY transaction with SET LOCAL ROLE to it. Members of
-- listing_helper_app may switch to it. Without CREATEROLE the block only logs a NOTICE; templates then run
-- read-only as the connecting user.
DO $$
DECLARE
    readable CONSTANT TEXT[] := ARRAY['catalog.listings', 'competitors.alerts', 'competitors.products',
                                      'analytics.attribution_events', 'analytics.attribution_estimates',
                                      'workflow.tasks', 'workflow.kanban_stages', 'pricing.current_prices',
                                      'inventory.stock'];
    t TEXT;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles
                   WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        RAISE NOTICE 'listing_helper_reports: % has neither SUPERUSER nor CREATEROLE; skipping the role', current_user;
        RETURN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'listing_helper_reports') THEN
        CREATE ROLE listing_helper_reports NOLOGIN;
    END IF;
    GRANT USAGE ON SCHEMA marts TO listing_helper_reports;
    GRANT SELECT ON ALL TABLES IN SCHEMA marts TO listing_helper_reports;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO listing_helper_reports;
    FOREACH t IN ARRAY readable LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO listing_helper_reports', split_part(t, '.', 1));
        EXECUTE format('GRANT SELECT ON %s TO listing_helper_reports', t);
    END LOOP;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'listing_helper_app') THEN
        GRANT listing_helper_reports TO listing_helper_app;
    END IF;
END
$$;
