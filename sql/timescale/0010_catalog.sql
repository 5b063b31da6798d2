-- 0010_catalog: the seller's own listings, their content versions, images, keywords,
-- variation families and content templates. Everything else references catalog.listings,
-- so this file runs first after the foundation.

-- ---------------------------------------------------------------------------
-- Listings: one row per offer (SKU) in a marketplace, synced from the SP-API.
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.listings (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),

    -- Amazon identifiers. One ASIN can carry several of our SKUs (FBA and FBM offers,
    -- bundles), so the natural key is (marketplace_id, sku), not the ASIN.
    asin                VARCHAR(10) NOT NULL CHECK (asin ~ '^[A-Z0-9]{10}$'),
    sku                 VARCHAR(50) NOT NULL CHECK (sku <> '' AND sku = btrim(sku)),
    marketplace_id      VARCHAR(20) NOT NULL DEFAULT 'A1F83G8C2ARO7P'   -- amazon.co.uk
                        CHECK (marketplace_id ~ '^[A-Z0-9]+$'),
    fnsku               VARCHAR(20),

    -- Basic info
    title               TEXT NOT NULL,
    brand               VARCHAR(255),
    manufacturer        VARCHAR(255),
    model_number        VARCHAR(100),
    part_number         VARCHAR(100),

    -- Category (DIY & Tools focus)
    category_id         BIGINT,
    category_path       TEXT[],             -- {'Tools & Home Improvement','Power Tools','Drills'}
    browse_node_id      BIGINT,

    -- Content
    bullet_points       TEXT[],             -- up to 5 for scoring; not enforced, Amazon allows more
    description         TEXT,
    search_terms        TEXT[],             -- backend search terms (< 250 bytes in total)

    -- A+ content
    aplus_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
    aplus_content_id    VARCHAR(50),
    brand_story_enabled BOOLEAN NOT NULL DEFAULT FALSE,

    -- Status
    status              VARCHAR(20) NOT NULL DEFAULT 'active'
                        CHECK (status IN ('active', 'inactive', 'suppressed', 'incomplete')),
    fulfillment_channel VARCHAR(10) NOT NULL DEFAULT 'FBM'
                        CHECK (fulfillment_channel IN ('FBA', 'FBM')),
    condition_type      VARCHAR(20) DEFAULT 'new_new',

    -- Variation info as Amazon reports it (written by the sync only). The grouping used for
    -- analysis lives in catalog.variation_families / catalog.variants.
    parent_asin         VARCHAR(10) CHECK (parent_asin ~ '^[A-Z0-9]{10}$'),
    variation_type      VARCHAR(50) CHECK (variation_type IN ('parent', 'child', 'standalone')),
    variation_theme     VARCHAR(50),        -- 'Size', 'Color', 'SizeName-ColorName', ...
    variation_attributes JSONB,

    -- Seller's own organisation
    tags                TEXT[],
    custom_category     VARCHAR(100),       -- 'screws', 'power_tools', 'accessories'
    product_group       VARCHAR(100),
    -- The seed defaults to 'active' but lists only launch..discontinue. 'active' stays as
    -- "selling, stage not yet classified": the sync cannot know the stage, the seller or a rule sets it.
    lifecycle_stage     VARCHAR(20) NOT NULL DEFAULT 'active'
                        CHECK (lifecycle_stage IN ('active', 'launch', 'growth', 'mature', 'decline', 'discontinue')),

    -- Written back from the scores mart by one Dagster asset; never computed here.
    current_score       NUMERIC(5,2) CHECK (current_score BETWEEN 0 AND 100),
    score_updated_at    TIMESTAMPTZ,

    -- Sync metadata
    last_synced_at      TIMESTAMPTZ,
    sp_api_hash         VARCHAR(64),        -- detects changes between syncs

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    CONSTRAINT listings_marketplace_sku_key UNIQUE (marketplace_id, sku)
);

COMMENT ON TABLE catalog.listings IS
    'One row per seller offer (SKU) in a marketplace; natural key (marketplace_id, sku). Several SKUs may share an ASIN.';
COMMENT ON COLUMN catalog.listings.current_score IS
    'Latest total listing score (0-100), written back from the scores mart.';

-- asin is no longer unique, so it needs a plain index (the seed's idx_listings_asin backed a
-- UNIQUE constraint; the new name says it is not one). No index on sku alone: the seed's
-- idx_listings_sku duplicated the unique key, and lookups go through (marketplace_id, sku).
CREATE INDEX idx_listings_asin_lookup ON catalog.listings (asin);
CREATE INDEX idx_listings_category ON catalog.listings (custom_category);
CREATE INDEX idx_listings_tags ON catalog.listings USING GIN (tags);
CREATE INDEX idx_listings_status ON catalog.listings (status);
CREATE INDEX idx_listings_parent ON catalog.listings (parent_asin);
CREATE INDEX idx_listings_score ON catalog.listings (current_score DESC);
CREATE INDEX idx_listings_category_score ON catalog.listings (custom_category, current_score DESC);
CREATE INDEX idx_listings_status_updated ON catalog.listings (status, updated_at DESC);
CREATE INDEX idx_active_listings ON catalog.listings (asin) WHERE status = 'active';

-- ---------------------------------------------------------------------------
-- Listing versions: every content change, for diff and rollback.
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.listing_versions (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),
    version_number      INTEGER NOT NULL CHECK (version_number > 0),

    -- Snapshot of content at this version
    title               TEXT,
    bullet_points       TEXT[],
    description         TEXT,
    search_terms        TEXT[],

    -- sha256 of the snapshot: a re-sync with unchanged content must not add a version.
    content_hash        VARCHAR(64),

    -- Change metadata
    change_type         VARCHAR(20) NOT NULL
                        CHECK (change_type IN ('manual', 'auto', 'sync', 'rollback')),
    change_source       VARCHAR(50),        -- 'user', an automation rule id, 'sp_api_sync'
    change_reason       TEXT,
    -- For change_type 'rollback': the version whose content was restored.
    rollback_of_version INTEGER,

    score_at_change     NUMERIC(5,2) CHECK (score_at_change BETWEEN 0 AND 100),

    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- The seed's UNIQUE (listing_id, version_number) and its idx_versions_listing (listing_id)
    -- are one index: the unique one, under the seed's index name.
    CONSTRAINT idx_versions_listing UNIQUE (listing_id, version_number),
    CHECK ((change_type = 'rollback') = (rollback_of_version IS NOT NULL))
);

COMMENT ON TABLE catalog.listing_versions IS
    'Content snapshots per listing (1, 2, 3, ...); the basis of diff, rollback and change attribution.';

CREATE INDEX idx_versions_created ON catalog.listing_versions (created_at DESC);

-- ---------------------------------------------------------------------------
-- Listing images
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.listing_images (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    image_type          VARCHAR(20) NOT NULL
                        CHECK (image_type ~ '^(main|pt0[1-8]|swatch)$'),
    url                 TEXT NOT NULL,
    url_thumb           TEXT,
    width               INTEGER CHECK (width > 0),
    height              INTEGER CHECK (height > 0),

    -- Quality analysis (vision model, later)
    quality_score       NUMERIC(5,2) CHECK (quality_score BETWEEN 0 AND 100),
    has_text            BOOLEAN,
    has_lifestyle       BOOLEAN,
    has_infographic     BOOLEAN,
    background_type     VARCHAR(20) CHECK (background_type IN ('white', 'lifestyle', 'other')),
    analysis_data       JSONB,
    analyzed_at         TIMESTAMPTZ,

    sort_order          INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- Amazon holds one image per slot: the sync upserts on this key. Named after the seed's
    -- idx_images_listing (listing_id), which it replaces as the leading column.
    CONSTRAINT idx_images_listing UNIQUE (listing_id, image_type)
);

COMMENT ON TABLE catalog.listing_images IS
    'Images per listing slot (main, pt01-pt08, swatch) with optional quality analysis.';

-- ---------------------------------------------------------------------------
-- Keywords
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.keywords (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    listing_id          UUID NOT NULL REFERENCES catalog.listings (id),

    keyword             TEXT NOT NULL,
    keyword_normalized  TEXT NOT NULL       -- lower case, trimmed
                        CHECK (keyword_normalized <> '' AND keyword_normalized = lower(keyword_normalized)),

    source              VARCHAR(20) NOT NULL
                        CHECK (source IN ('title', 'bullets', 'backend', 'competitor', 'suggested', 'manual')),

    -- Metrics (search terms report)
    search_volume       INTEGER CHECK (search_volume >= 0),
    search_volume_trend NUMERIC(5,2),       -- % change
    organic_rank        INTEGER CHECK (organic_rank > 0),
    sponsored_rank      INTEGER CHECK (sponsored_rank > 0),

    relevance_score     NUMERIC(5,2),
    conversion_rate     NUMERIC(5,4) CHECK (conversion_rate BETWEEN 0 AND 1),   -- a fraction

    is_primary          BOOLEAN NOT NULL DEFAULT FALSE,
    is_tracked          BOOLEAN NOT NULL DEFAULT TRUE,

    last_updated        TIMESTAMPTZ,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    -- One row per keyword and listing, whatever found it first: loads upsert on this. Named
    -- after the seed's idx_keywords_listing (listing_id), which it replaces as the leading column.
    CONSTRAINT idx_keywords_listing UNIQUE (listing_id, keyword_normalized)
);

COMMENT ON TABLE catalog.keywords IS
    'Keywords per listing with search volume and rank; natural key (listing_id, keyword_normalized).';

CREATE INDEX idx_keywords_keyword ON catalog.keywords (keyword_normalized);
CREATE INDEX idx_keywords_volume ON catalog.keywords (search_volume DESC NULLS LAST);
CREATE INDEX idx_keywords_listing_primary ON catalog.keywords (listing_id, is_primary);

-- ---------------------------------------------------------------------------
-- Variation families (the seed's "variants"): parent ASIN, theme, and the child ASINs
-- with their attribute values. Children are ASINs, not SKUs: an FBA and an FBM SKU of
-- the same child ASIN are the same variant.
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.variation_families (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    marketplace_id      VARCHAR(20) NOT NULL DEFAULT 'A1F83G8C2ARO7P'
                        CHECK (marketplace_id ~ '^[A-Z0-9]+$'),
    parent_asin         VARCHAR(10) NOT NULL CHECK (parent_asin ~ '^[A-Z0-9]{10}$'),
    parent_sku          VARCHAR(50),        -- when the seller owns the parent
    variation_theme     VARCHAR(50) NOT NULL,   -- 'Size', 'Color', 'SizeName-ColorName'
    title               TEXT,
    brand               VARCHAR(255),
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    UNIQUE (marketplace_id, parent_asin),
    -- Target of the composite FK below, so a child cannot sit in a family of another marketplace.
    UNIQUE (id, marketplace_id)
);

COMMENT ON TABLE catalog.variation_families IS
    'Variation families: one parent ASIN per marketplace with its variation theme.';

CREATE TABLE catalog.variants (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    family_id           UUID NOT NULL,
    marketplace_id      VARCHAR(20) NOT NULL DEFAULT 'A1F83G8C2ARO7P',
    asin                VARCHAR(10) NOT NULL CHECK (asin ~ '^[A-Z0-9]{10}$'),
    -- Values of the family's theme dimensions, e.g. {"Size": "4 x 40 mm", "Pack": "200"}.
    attributes          JSONB NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(attributes) = 'object'),
    sort_order          INTEGER NOT NULL DEFAULT 0,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now(),

    FOREIGN KEY (family_id, marketplace_id)
        REFERENCES catalog.variation_families (id, marketplace_id) ON DELETE CASCADE,
    -- A child ASIN has one parent per marketplace.
    UNIQUE (marketplace_id, asin)
);

COMMENT ON TABLE catalog.variants IS
    'Child ASINs of a variation family with their attribute values; join to listings on (marketplace_id, asin).';

CREATE INDEX idx_variants_family ON catalog.variants (family_id);

-- ---------------------------------------------------------------------------
-- Content templates, used by the apply_template automation action.
-- ---------------------------------------------------------------------------
CREATE TABLE catalog.content_templates (
    id                  UUID PRIMARY KEY DEFAULT gen_random_uuid(),
    name                VARCHAR(100) NOT NULL UNIQUE,
    description         TEXT,
    -- Field templates with {placeholders} from the listing, e.g.
    -- {"title": "{brand} {model_number} {custom_category}", "bullet_points": ["...", "..."],
    --  "search_terms": ["..."], "description": "..."}. Only the keys present are applied.
    fields              JSONB NOT NULL CHECK (jsonb_typeof(fields) = 'object'),
    is_active           BOOLEAN NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMPTZ NOT NULL DEFAULT now(),
    updated_at          TIMESTAMPTZ NOT NULL DEFAULT now()
);

COMMENT ON TABLE catalog.content_templates IS
    'Named content templates (title, bullets, search terms, description) applied by the apply_template rule action; every application creates a listing version.';
