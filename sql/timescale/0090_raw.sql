-- 0090_raw: landing tables for what the SP-API and Keepa return, kept as received.
-- Conventions for every raw table (the per-report row tables added later follow them too):
--   * _loaded_at TIMESTAMPTZ NOT NULL DEFAULT now(): when the row landed; dbt source freshness
--     reads it;
--   * the source's own ids (report id, report document id, request key) and the Dagster run
--     and partition that loaded it, so any row can be traced back and re-loaded;
--   * nothing is dropped: a row that cannot be parsed goes to raw.quarantine with a reason.

-- ---------------------------------------------------------------------------
-- SP-API report requests: persisted before polling, so a retry reuses an in-flight
-- report for the same window instead of requesting a second one.
-- ---------------------------------------------------------------------------
CREATE TABLE raw.report_requests (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    report_type         VARCHAR(100) NOT NULL,      -- 'GET_SALES_AND_TRAFFIC_REPORT', ...
    marketplace_ids     TEXT[] NOT NULL DEFAULT '{A1F83G8C2ARO7P}',
    report_options      JSONB,                      -- e.g. {"dateGranularity": "DAY", "asinGranularity": "SKU"}
    data_start_time     TIMESTAMPTZ,
    data_end_time       TIMESTAMPTZ,

    report_id           TEXT UNIQUE,                -- Amazon's id; NULL until createReport answered
    -- NULL until Amazon accepted the request. CANCELLED means "no data": zero rows, not an
    -- error. FATAL often means a per-report-type cooldown: retry after cooldown_until.
    processing_status   VARCHAR(20)
                        CHECK (processing_status IN ('IN_QUEUE', 'IN_PROGRESS', 'DONE', 'CANCELLED', 'FATAL')),
    report_document_id  TEXT,

    requested_at        TIMESTAMPTZ NOT NULL DEFAULT now(),
    last_polled_at      TIMESTAMPTZ,
    completed_at        TIMESTAMPTZ,
    attempt_count       INTEGER NOT NULL DEFAULT 0 CHECK (attempt_count >= 0),
    cooldown_until      TIMESTAMPTZ,
    error_message       TEXT,

    dagster_run_id      VARCHAR(64),
    partition_key       VARCHAR(64),
    _loaded_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CHECK (data_start_time IS NULL OR data_end_time IS NULL OR data_start_time <= data_end_time),
    CHECK (processing_status IS DISTINCT FROM 'DONE' OR report_document_id IS NOT NULL)
);

COMMENT ON TABLE raw.report_requests IS
    'Ledger of SP-API report requests (createReport / getReport): window, Amazon report id, processing status, document id, polling, cooldown and the Dagster run that asked.';

-- "Is there already a request in flight for this report type and window?"
CREATE INDEX idx_report_requests_in_flight
    ON raw.report_requests (report_type, data_start_time, data_end_time)
    WHERE processing_status IS NULL OR processing_status IN ('IN_QUEUE', 'IN_PROGRESS');
CREATE INDEX idx_report_requests_window
    ON raw.report_requests (report_type, data_start_time DESC);

-- ---------------------------------------------------------------------------
-- SP-API report documents: the original bytes, exactly as downloaded.
-- ---------------------------------------------------------------------------
CREATE TABLE raw.report_documents (
    report_document_id  TEXT PRIMARY KEY,           -- Amazon's reportDocumentId
    report_request_id   UUID REFERENCES raw.report_requests (id),
    report_type         VARCHAR(100) NOT NULL,
    -- Still compressed if Amazon compressed it: re-parsing later starts from these bytes.
    content             BYTEA NOT NULL,
    compression         VARCHAR(10) CHECK (compression IN ('GZIP')),   -- compressionAlgorithm; NULL = none
    content_type        TEXT,                       -- the Content-Type header, often without charset
    -- What the decoder settled on: header charset, else utf-8-sig, else cp1252.
    detected_encoding   VARCHAR(20),
    sha256              CHAR(64) NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),   -- of content
    byte_size           BIGINT NOT NULL CHECK (byte_size >= 0),                -- of content
    row_count           INTEGER CHECK (row_count >= 0),         -- data rows parsed
    quarantined_count   INTEGER CHECK (quarantined_count >= 0), -- of those, rows sent to quarantine
    dagster_run_id      VARCHAR(64),
    _loaded_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE raw.report_documents IS
    'Downloaded SP-API report documents as original bytes (possibly gzip), with encoding detected, checksum, size and parse counts.';

CREATE INDEX idx_report_documents_request ON raw.report_documents (report_request_id);
CREATE INDEX idx_report_documents_type_loaded ON raw.report_documents (report_type, _loaded_at DESC);

-- ---------------------------------------------------------------------------
-- JSON API responses (catalog items, listings items, fees, competitive pricing, Keepa).
-- ---------------------------------------------------------------------------
CREATE TABLE raw.api_responses (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source              VARCHAR(20) NOT NULL CHECK (source IN ('sp_api', 'keepa')),
    operation           VARCHAR(100) NOT NULL,      -- 'getCatalogItem', 'getMyFeesEstimateForSKU', 'product', ...
    request_key         TEXT NOT NULL,              -- asin, sku, or the Keepa batch's ASIN list
    request_params      JSONB,                      -- non-secret request parameters
    http_status         SMALLINT CHECK (http_status BETWEEN 100 AND 599),
    payload             JSONB,                      -- NULL when the body was not JSON (see http_status)
    dagster_run_id      VARCHAR(64),
    partition_key       VARCHAR(64),
    _loaded_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE raw.api_responses IS
    'JSON payloads from SP-API operations and Keepa, one row per call, exactly as returned.';

-- Latest response for a given call: staging picks the newest per request_key.
CREATE INDEX idx_api_responses_lookup
    ON raw.api_responses (source, operation, request_key, _loaded_at DESC);

-- ---------------------------------------------------------------------------
-- Quarantine: rows that failed parsing or validation, with the reason. Good rows of the
-- same document still load.
-- ---------------------------------------------------------------------------
CREATE TABLE raw.quarantine (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    source              VARCHAR(20) NOT NULL CHECK (source IN ('sp_api', 'keepa', 'manual_upload')),
    report_type         VARCHAR(100),               -- for report rows
    operation           VARCHAR(100),               -- for API payload items
    -- report_document_id, raw.api_responses.id or an uploaded file name
    source_document_id  TEXT NOT NULL,
    line_number         INTEGER CHECK (line_number > 0),   -- 1-based line in the decoded file
    field               TEXT,                       -- column that failed, NULL for whole-row faults
    value               TEXT,                       -- the offending value
    reason              TEXT NOT NULL,
    raw_record          TEXT,                       -- the whole line / item as received
    dagster_run_id      VARCHAR(64),
    _loaded_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    resolved_at         TIMESTAMPTZ,                -- set when fixed and re-loaded, or accepted

    CHECK (report_type IS NOT NULL OR operation IS NOT NULL)
);

COMMENT ON TABLE raw.quarantine IS
    'Rejected input rows with file, line, field, value and reason; reviewed and resolved by the seller. Never silently dropped.';

CREATE INDEX idx_quarantine_document ON raw.quarantine (source_document_id, line_number);
CREATE INDEX idx_quarantine_unresolved ON raw.quarantine (_loaded_at DESC) WHERE resolved_at IS NULL;
