-- Listings with any daily metrics, and the category their seasonality and elasticity are pooled over: the
-- seller's own category, else the deepest Amazon browse category, else the product group.
select l.id::text as listing_id,
       l.sku,
       coalesce(nullif(l.custom_category, ''), l.category_path[cardinality(l.category_path)],
                nullif(l.product_group, ''), 'uncategorised') as category
from catalog.listings l
where exists (select 1 from analytics.performance_metrics m where m.listing_id = l.id)
order by l.id
