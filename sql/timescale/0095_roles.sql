-- 0095_roles: two NOLOGIN group roles and their privileges.
--   listing_helper_app      read/write on every application schema (raw and system included);
--                           reads the marts. Login users are made members of it.
--   listing_helper_readonly for BI tools: SELECT on the marts and nothing else.
-- Roles are cluster-wide and need CREATEROLE. On a managed database where the migrating user
-- lacks it, the block only logs a NOTICE and skips both the roles and the grants, so the
-- migration still applies; a DBA can then create the roles and re-run this file's grants.

-- Secrets are nobody's business by default, whatever happens to the roles below.
REVOKE ALL ON system.creds FROM PUBLIC;

DO $$
DECLARE
    app_schemas CONSTANT TEXT[] := ARRAY['catalog', 'pricing', 'analytics', 'system', 'competitors',
                                         'inventory', 'workflow', 'reporting', 'raw'];
    s TEXT;
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles
                   WHERE rolname = current_user AND (rolsuper OR rolcreaterole)) THEN
        RAISE NOTICE 'listing_helper roles: % has neither SUPERUSER nor CREATEROLE; skipping role creation and grants', current_user;
        RETURN;
    END IF;

    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'listing_helper_app') THEN
        CREATE ROLE listing_helper_app NOLOGIN;
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'listing_helper_readonly') THEN
        CREATE ROLE listing_helper_readonly NOLOGIN;
    END IF;

    -- Application role: read/write on all application schemas, now and for tables created
    -- later by the role running the migrations (ALTER DEFAULT PRIVILEGES applies to objects
    -- that role creates, e.g. new time-series partitions and the later raw row tables).
    FOREACH s IN ARRAY app_schemas LOOP
        EXECUTE format('GRANT USAGE ON SCHEMA %I TO listing_helper_app', s);
        EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO listing_helper_app', s);
        EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA %I TO listing_helper_app', s);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO listing_helper_app', s);
        EXECUTE format('ALTER DEFAULT PRIVILEGES IN SCHEMA %I GRANT USAGE, SELECT ON SEQUENCES TO listing_helper_app', s);
    END LOOP;

    -- The audit log is append-only for the application; old partitions are dropped by the
    -- retention routine running as the owner.
    REVOKE UPDATE, DELETE ON system.audit_log FROM listing_helper_app;

    -- The application reads the marts (sensors, write-backs); dbt owns and writes them.
    GRANT USAGE ON SCHEMA marts TO listing_helper_app;
    GRANT SELECT ON ALL TABLES IN SCHEMA marts TO listing_helper_app;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO listing_helper_app;

    -- Read-only role: the marts, nothing else. dbt must build the marts as the role that ran
    -- this file for the default privilege to reach them (or grant in dbt's own config).
    GRANT USAGE ON SCHEMA marts TO listing_helper_readonly;
    GRANT SELECT ON ALL TABLES IN SCHEMA marts TO listing_helper_readonly;
    ALTER DEFAULT PRIVILEGES IN SCHEMA marts GRANT SELECT ON TABLES TO listing_helper_readonly;

    -- Explicit, for anyone auditing the grants: no privilege on secrets, raw data or system.
    REVOKE ALL ON system.creds FROM listing_helper_readonly;
    REVOKE ALL ON ALL TABLES IN SCHEMA raw FROM listing_helper_readonly;
    REVOKE ALL ON SCHEMA raw FROM listing_helper_readonly;
    REVOKE ALL ON SCHEMA system FROM listing_helper_readonly;
END
$$;
