-- Schemas and the time-series machinery every later migration uses.
--
-- A time-series table is declared once and serves both worlds (docs/decisions/2026-11-25-time-series-modes.md):
--   CREATE TABLE s.t (...) /*partitioned: PARTITION BY RANGE (time) */;
--   SELECT system.setup_time_series('s.t', time_column => 'time', segment_by => 'listing_id', ...);
-- Without TimescaleDB the runner uncomments the marker, the table is range-partitioned by month
-- and setup_time_series registers it for partition upkeep and retention. With TimescaleDB the
-- marker stays a comment and setup_time_series makes a hypertable with compression and retention.

CREATE SCHEMA IF NOT EXISTS catalog;
CREATE SCHEMA IF NOT EXISTS pricing;
CREATE SCHEMA IF NOT EXISTS analytics;
CREATE SCHEMA IF NOT EXISTS system;
CREATE SCHEMA IF NOT EXISTS competitors;
CREATE SCHEMA IF NOT EXISTS inventory;
CREATE SCHEMA IF NOT EXISTS workflow;
CREATE SCHEMA IF NOT EXISTS reporting;
CREATE SCHEMA IF NOT EXISTS raw;
-- dbt builds into staging, intermediate and marts; marts is created here so grants can be set on it.
CREATE SCHEMA IF NOT EXISTS marts;

COMMENT ON SCHEMA raw IS 'Landing zone: SP-API and Keepa data as received (original bytes or JSON), with load time and source ids.';
COMMENT ON SCHEMA marts IS 'dbt marts: documented, contract-enforced tables for BI tools, sensors and write-backs.';

CREATE TABLE system.time_series (
    table_name      TEXT PRIMARY KEY,            -- schema-qualified
    time_column     TEXT NOT NULL,
    segment_by      TEXT,
    storage         TEXT NOT NULL CHECK (storage IN ('timescaledb', 'partitioned')),
    chunk_interval  INTERVAL,
    compress_after  INTERVAL,
    retain_for      INTERVAL,                    -- NULL keeps everything
    months_ahead    INTEGER NOT NULL DEFAULT 3,  -- partitions created ahead of time
    registered_at   TIMESTAMPTZ NOT NULL DEFAULT now()
);
COMMENT ON TABLE system.time_series IS 'Append-only series and how they are stored (hypertable or monthly partitions).';

-- First instant of the UTC month containing ts.
CREATE FUNCTION system.month_start(ts TIMESTAMPTZ) RETURNS TIMESTAMPTZ
LANGUAGE sql IMMUTABLE AS $$ SELECT date_trunc('month', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' $$;

-- Create the monthly partitions covering [p_from, p_to] plus months_ahead; rows that had landed in
-- the default partition for those months are moved into the new partition, so nothing is lost.
CREATE FUNCTION system.ensure_partitions(p_table TEXT, p_from TIMESTAMPTZ DEFAULT NULL, p_to TIMESTAMPTZ DEFAULT NULL)
RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    ts        system.time_series%ROWTYPE;
    parent    TEXT;
    nsp       TEXT;
    month     TIMESTAMPTZ;
    last      TIMESTAMPTZ;
    part      TEXT;
    default_p TEXT;
    created   INTEGER := 0;
    has_rows  BOOLEAN;
BEGIN
    SELECT * INTO ts FROM system.time_series WHERE table_name = p_table;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'time series % is not registered (system.setup_time_series)', p_table;
    END IF;
    IF ts.storage <> 'partitioned' THEN
        RETURN 0;  -- TimescaleDB creates chunks itself
    END IF;
    nsp := split_part(p_table, '.', 1);
    parent := split_part(p_table, '.', 2);
    default_p := format('%I.%I', nsp, parent || '_default');
    month := system.month_start(coalesce(least(p_from, now()), now()));
    last := system.month_start(greatest(coalesce(p_to, now()), now())) + make_interval(months => ts.months_ahead);
    WHILE month <= last LOOP
        part := parent || '_p' || to_char(month AT TIME ZONE 'UTC', 'YYYYMM');
        IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
            EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= $1 AND %I < $2)',
                           default_p, ts.time_column, ts.time_column)
               INTO has_rows USING month, month + INTERVAL '1 month';
            IF has_rows THEN
                EXECUTE format('CREATE TABLE %I.%I (LIKE %I.%I INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                               nsp, part, nsp, parent);
                EXECUTE format('WITH moved AS (DELETE FROM %s WHERE %I >= $1 AND %I < $2 RETURNING *) '
                               'INSERT INTO %I.%I SELECT * FROM moved',
                               default_p, ts.time_column, ts.time_column, nsp, part)
                   USING month, month + INTERVAL '1 month';
                EXECUTE format('ALTER TABLE %I.%I ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                               nsp, parent, nsp, part, month, month + INTERVAL '1 month');
            ELSE
                EXECUTE format('CREATE TABLE %I.%I PARTITION OF %I.%I FOR VALUES FROM (%L) TO (%L)',
                               nsp, part, nsp, parent, month, month + INTERVAL '1 month');
            END IF;
            created := created + 1;
        END IF;
        month := month + INTERVAL '1 month';
    END LOOP;
    RETURN created;
END $$;

-- Partition upkeep for every partitioned series (scheduled daily by Dagster).
CREATE FUNCTION system.ensure_all_partitions() RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
    t TEXT;
    total INTEGER := 0;
BEGIN
    FOR t IN SELECT table_name FROM system.time_series WHERE storage = 'partitioned' ORDER BY table_name LOOP
        total := total + system.ensure_partitions(t);
    END LOOP;
    RETURN total;
END $$;

-- Drop monthly partitions wholly older than each series' retention, and old rows in default partitions.
-- Returns the dropped partitions. (With TimescaleDB, add_retention_policy does this instead.)
CREATE FUNCTION system.apply_retention(p_now TIMESTAMPTZ DEFAULT now())
RETURNS TABLE (table_name TEXT, dropped_partition TEXT) LANGUAGE plpgsql AS $$
DECLARE
    ts     system.time_series%ROWTYPE;
    nsp    TEXT;
    parent TEXT;
    child  RECORD;
    cutoff TIMESTAMPTZ;
BEGIN
    FOR ts IN SELECT * FROM system.time_series s
              WHERE s.storage = 'partitioned' AND s.retain_for IS NOT NULL ORDER BY s.table_name LOOP
        nsp := split_part(ts.table_name, '.', 1);
        parent := split_part(ts.table_name, '.', 2);
        cutoff := p_now - ts.retain_for;
        FOR child IN
            SELECT c.relname
            FROM pg_inherits i
            JOIN pg_class c ON c.oid = i.inhrelid
            JOIN pg_class p ON p.oid = i.inhparent
            JOIN pg_namespace n ON n.oid = p.relnamespace
            WHERE n.nspname = nsp AND p.relname = parent
              AND c.relname ~ ('^' || parent || '_p[0-9]{6}$')
        LOOP
            -- A partition named _pYYYYMM holds that month; drop it once the month has ended before the cutoff.
            IF (to_date(right(child.relname, 6) || '01', 'YYYYMMDD')::timestamp AT TIME ZONE 'UTC')
               + INTERVAL '1 month' <= cutoff THEN
                EXECUTE format('DROP TABLE %I.%I', nsp, child.relname);
                table_name := ts.table_name;
                dropped_partition := nsp || '.' || child.relname;
                RETURN NEXT;
            END IF;
        END LOOP;
        IF to_regclass(format('%I.%I', nsp, parent || '_default')) IS NOT NULL THEN
            EXECUTE format('DELETE FROM %I.%I WHERE %I < $1', nsp, parent || '_default', ts.time_column) USING cutoff;
        END IF;
    END LOOP;
END $$;

-- Declare a table as a time series. Partitioned table -> register + default partition + monthly
-- partitions. Plain table with TimescaleDB present -> hypertable, compression, retention, with the
-- policies' start times staggered per table (compression and retention starting together can deadlock).
CREATE FUNCTION system.setup_time_series(
    p_table        REGCLASS,
    time_column    TEXT,
    segment_by     TEXT,
    chunk_interval INTERVAL,
    compress_after INTERVAL,
    retain_for     INTERVAL
) RETURNS VOID LANGUAGE plpgsql AS $$
DECLARE
    kind      "char";
    qualified TEXT;
    slot      INTEGER;
    base      TIMESTAMPTZ := date_trunc('hour', now());
BEGIN
    SELECT c.relkind, n.nspname || '.' || c.relname INTO kind, qualified
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.oid = p_table;
    SELECT count(*) INTO slot FROM system.time_series;

    IF kind = 'p' THEN
        INSERT INTO system.time_series (table_name, time_column, segment_by, storage, chunk_interval, compress_after, retain_for)
        VALUES (qualified, time_column, segment_by, 'partitioned', chunk_interval, compress_after, retain_for);
        EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s DEFAULT',
                       split_part(qualified, '.', 1), split_part(qualified, '.', 2) || '_default', qualified);
        PERFORM system.ensure_partitions(qualified);
    ELSIF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'timescaledb') THEN
        INSERT INTO system.time_series (table_name, time_column, segment_by, storage, chunk_interval, compress_after, retain_for)
        VALUES (qualified, time_column, segment_by, 'timescaledb', chunk_interval, compress_after, retain_for);
        PERFORM create_hypertable(p_table, time_column::name, chunk_time_interval => chunk_interval, if_not_exists => TRUE);
        IF compress_after IS NOT NULL THEN
            EXECUTE format('ALTER TABLE %s SET (timescaledb.compress, timescaledb.compress_segmentby = %L, timescaledb.compress_orderby = %L)',
                           qualified, segment_by, time_column || ' DESC');
            PERFORM add_compression_policy(p_table, compress_after => compress_after, if_not_exists => TRUE,
                                           initial_start => base + INTERVAL '1 hour' + slot * INTERVAL '10 minutes');
        END IF;
        IF retain_for IS NOT NULL THEN
            PERFORM add_retention_policy(p_table, drop_after => retain_for, if_not_exists => TRUE,
                                         initial_start => base + INTERVAL '3 hours' + slot * INTERVAL '10 minutes');
        END IF;
    ELSE
        RAISE EXCEPTION 'time series % is a plain table but TimescaleDB is not installed: declare it with /*partitioned: PARTITION BY RANGE (...) */', qualified;
    END IF;
END $$;
