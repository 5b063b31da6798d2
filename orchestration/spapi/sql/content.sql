-- upsert_catalog_content: the latest getCatalogItem payload per ASIN (read in Python into content_in and
-- images_in) -> catalog.listings content, catalog.listing_versions, catalog.listing_images, system.audit_log.

-- name: latest_payloads
-- The newest successful answer per ASIN, for ASINs we sell; an error answer does not erase content.
select distinct on (r.request_key) r.id, r.request_key, r.request_params, r.payload
from raw.api_responses r
where r.source = 'sp_api' and r.operation = 'getCatalogItem'
  and r.payload is not null and coalesce(r.http_status between 200 and 299, true)
  and exists (select 1 from catalog.listings l where l.asin = r.request_key)
order by r.request_key, r._loaded_at desc, r.id desc

-- name: create_content_in
create temp table content_in (
    asin text, marketplace_id text, response_id uuid,
    has_content boolean, title text, bullet_points text[], description text, search_terms text[],
    has_brand boolean, brand text, manufacturer text, model_number text, part_number text,
    has_category boolean, category_id bigint, category_path text[], browse_node_id bigint,
    has_variation boolean, parent_asin text, variation_type text, variation_theme text,
    has_images boolean
) on commit drop

-- name: create_images_in
create temp table images_in (
    asin text, marketplace_id text, image_type text, url text, url_thumb text, width integer, height integer,
    sort_order integer
) on commit drop

-- name: quarantine
insert into raw.quarantine (source, operation, source_document_id, field, value, reason, raw_record, dagster_run_id)
select 'sp_api', 'getCatalogItem', %(response_id)s, %(field)s, %(value)s, %(reason)s, %(asin)s, %(run_id)s
where not exists (
    select 1 from raw.quarantine q
    where q.source = 'sp_api' and q.operation = 'getCatalogItem' and q.source_document_id = %(response_id)s
      and q.field = %(field)s and q.reason = %(reason)s)

-- name: stage
-- Per listing carrying the ASIN (FBA and FBM offers alike): the content it will have, what it had,
-- its latest version, and the changes as {field: {old, new}}.
create temp table content_sync on commit drop as
with proposed as (
    select l.id as listing_id, c.asin, c.marketplace_id, c.has_content, c.has_images, l.current_score,
           l.title as old_title, l.bullet_points as old_bullet_points, l.description as old_description,
           l.search_terms as old_search_terms, l.brand as old_brand, l.manufacturer as old_manufacturer,
           l.model_number as old_model_number, l.part_number as old_part_number, l.category_id as old_category_id,
           l.category_path as old_category_path, l.browse_node_id as old_browse_node_id,
           l.parent_asin as old_parent_asin, l.variation_type as old_variation_type,
           l.variation_theme as old_variation_theme,
           -- A payload without a group (not requested) leaves the stored values alone; title cannot be NULL.
           case when c.has_content then coalesce(c.title, l.title) else l.title end as title,
           case when c.has_content then c.bullet_points else l.bullet_points end as bullet_points,
           case when c.has_content then c.description else l.description end as description,
           case when c.has_content then c.search_terms else l.search_terms end as search_terms,
           case when c.has_brand then c.brand else l.brand end as brand,
           case when c.has_brand then c.manufacturer else l.manufacturer end as manufacturer,
           case when c.has_brand then c.model_number else l.model_number end as model_number,
           case when c.has_brand then c.part_number else l.part_number end as part_number,
           case when c.has_category then c.category_id else l.category_id end as category_id,
           case when c.has_category then c.category_path else l.category_path end as category_path,
           case when c.has_category then c.browse_node_id else l.browse_node_id end as browse_node_id,
           case when c.has_variation then c.parent_asin else l.parent_asin end as parent_asin,
           case when c.has_variation then c.variation_type else l.variation_type end as variation_type,
           case when c.has_variation then c.variation_theme else l.variation_theme end as variation_theme,
           v.version_number as last_version, v.title as version_title, v.bullet_points as version_bullet_points,
           v.description as version_description, v.search_terms as version_search_terms,
           coalesce(stored.images, '[]'::jsonb) as old_images,
           case when c.has_images then coalesce(sent.images, '[]'::jsonb) else coalesce(stored.images, '[]'::jsonb) end as images
    from content_in c
    join catalog.listings l on l.asin = c.asin and l.marketplace_id = c.marketplace_id
    left join lateral (
        select v.version_number, v.title, v.bullet_points, v.description, v.search_terms
        from catalog.listing_versions v where v.listing_id = l.id
        order by v.version_number desc limit 1
    ) v on true
    left join lateral (
        select jsonb_agg(jsonb_build_object('image_type', i.image_type, 'url', i.url, 'url_thumb', i.url_thumb,
                                            'width', i.width, 'height', i.height) order by i.sort_order, i.image_type) as images
        from catalog.listing_images i where i.listing_id = l.id
    ) stored on true
    left join lateral (
        select jsonb_agg(jsonb_build_object('image_type', n.image_type, 'url', n.url, 'url_thumb', n.url_thumb,
                                            'width', n.width, 'height', n.height) order by n.sort_order, n.image_type) as images
        from images_in n where n.asin = c.asin and n.marketplace_id = c.marketplace_id
    ) sent on true
)
select p.*,
       (select coalesce(jsonb_object_agg(f.field, jsonb_build_object('old', f.old, 'new', f.new)), '{}'::jsonb)
        from (values ('title', to_jsonb(p.old_title), to_jsonb(p.title)),
                     ('bullet_points', to_jsonb(p.old_bullet_points), to_jsonb(p.bullet_points)),
                     ('description', to_jsonb(p.old_description), to_jsonb(p.description)),
                     ('search_terms', to_jsonb(p.old_search_terms), to_jsonb(p.search_terms)),
                     ('brand', to_jsonb(p.old_brand), to_jsonb(p.brand)),
                     ('manufacturer', to_jsonb(p.old_manufacturer), to_jsonb(p.manufacturer)),
                     ('model_number', to_jsonb(p.old_model_number), to_jsonb(p.model_number)),
                     ('part_number', to_jsonb(p.old_part_number), to_jsonb(p.part_number)),
                     ('category_id', to_jsonb(p.old_category_id), to_jsonb(p.category_id)),
                     ('category_path', to_jsonb(p.old_category_path), to_jsonb(p.category_path)),
                     ('browse_node_id', to_jsonb(p.old_browse_node_id), to_jsonb(p.browse_node_id)),
                     ('parent_asin', to_jsonb(p.old_parent_asin), to_jsonb(p.parent_asin)),
                     ('variation_type', to_jsonb(p.old_variation_type), to_jsonb(p.variation_type)),
                     ('variation_theme', to_jsonb(p.old_variation_theme), to_jsonb(p.variation_theme)),
                     ('images', p.old_images, p.images)) f(field, old, new)
        where f.old is distinct from f.new) as changes,
       -- Versioned fields that differ from the latest version (all four for a first version).
       array_remove(array[
           case when p.last_version is null or p.version_title is distinct from p.title then 'title' end,
           case when p.last_version is null or p.version_bullet_points is distinct from p.bullet_points then 'bullet_points' end,
           case when p.last_version is null or p.version_description is distinct from p.description then 'description' end,
           case when p.last_version is null or p.version_search_terms is distinct from p.search_terms then 'search_terms' end
       ], null) as version_fields
from proposed p

-- name: versions
insert into catalog.listing_versions (listing_id, version_number, title, bullet_points, description, search_terms,
                                      content_hash, change_type, change_source, change_reason, score_at_change)
select s.listing_id, coalesce(s.last_version, 0) + 1, s.title, s.bullet_points, s.description, s.search_terms,
       encode(sha256(convert_to(jsonb_build_array(s.title, s.bullet_points, s.description, s.search_terms)::text, 'UTF8')), 'hex'),
       'sync', 'sp_api_sync',
       case when s.last_version is null then 'first content from the Catalog Items API'
            else 'changed on Amazon: ' || array_to_string(s.version_fields, ', ') end,
       s.current_score
from content_sync s
where s.has_content and cardinality(s.version_fields) > 0

-- name: update_listings
update catalog.listings l
set title = s.title, bullet_points = s.bullet_points, description = s.description, search_terms = s.search_terms,
    brand = s.brand, manufacturer = s.manufacturer, model_number = s.model_number, part_number = s.part_number,
    category_id = s.category_id, category_path = s.category_path, browse_node_id = s.browse_node_id,
    parent_asin = s.parent_asin, variation_type = s.variation_type, variation_theme = s.variation_theme,
    updated_at = now()
from content_sync s
where l.id = s.listing_id and s.changes - 'images' <> '{}'

-- name: audit
insert into system.audit_log (entity_type, entity_id, action, changes, source, source_id)
select 'listing', s.listing_id, 'update', s.changes, 'sp_api_sync', %(run_id)s
from content_sync s
where s.changes <> '{}'

-- name: drop_images
delete from catalog.listing_images i
using content_sync s
where i.listing_id = s.listing_id and s.changes ? 'images'
  and not exists (select 1 from images_in n
                  where n.asin = s.asin and n.marketplace_id = s.marketplace_id and n.image_type = i.image_type)

-- name: upsert_images
-- A new picture in a slot clears the analysis made of the old one.
insert into catalog.listing_images as i (listing_id, image_type, url, url_thumb, width, height, sort_order)
select s.listing_id, n.image_type, n.url, n.url_thumb, n.width, n.height, n.sort_order
from content_sync s
join images_in n on n.asin = s.asin and n.marketplace_id = s.marketplace_id
where s.changes ? 'images'
on conflict (listing_id, image_type) do update
set url = excluded.url, url_thumb = excluded.url_thumb, width = excluded.width, height = excluded.height,
    sort_order = excluded.sort_order, updated_at = now(),
    quality_score = case when i.url = excluded.url then i.quality_score end,
    has_text = case when i.url = excluded.url then i.has_text end,
    has_lifestyle = case when i.url = excluded.url then i.has_lifestyle end,
    has_infographic = case when i.url = excluded.url then i.has_infographic end,
    background_type = case when i.url = excluded.url then i.background_type end,
    analysis_data = case when i.url = excluded.url then i.analysis_data end,
    analyzed_at = case when i.url = excluded.url then i.analyzed_at end
where (i.url, i.url_thumb, i.width, i.height, i.sort_order)
      is distinct from (excluded.url, excluded.url_thumb, excluded.width, excluded.height, excluded.sort_order)

-- name: counts
select count(*) as listings_matched,
       count(*) filter (where changes <> '{}') as updated,
       count(*) filter (where changes = '{}') as unchanged,
       count(*) filter (where has_content and cardinality(version_fields) > 0) as versions_created,
       count(*) filter (where changes ? 'images') as image_sets_replaced
from content_sync
