-- The latest before/after charts the attribution part drew (PNG bytes), newest change first.
select l.sku, e.change_type, e.change_timestamp::date as changed_on, c.png
from analytics.attribution_charts c
join analytics.attribution_events e on e.id = c.event_id
join catalog.listings l on l.id = e.listing_id
order by e.change_timestamp desc, l.sku, e.change_type
limit %(limit)s
