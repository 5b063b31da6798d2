-- Everything the price rules and guard rails need for a batch of listings (%(listing_ids)s), in one
-- query: current price and limits, the margin-floor price dbt computed, rival prices (fct_ marts
-- exclude our own ASINs, and so does the join below), stock, scope fields, and this mode's recent
-- automated changes for the cooldown and the daily cap.
with wanted as (
    select unnest(%(listing_ids)s::uuid[]) as listing_id
),

rivals as (
    select t.listing_id,
           min(t.rival_price_gbp) filter (where not coalesce(t.rival_is_out_of_stock, false)) as cheapest_rival,
           jsonb_object_agg(t.rival_asin, t.rival_price_gbp)
               filter (where not coalesce(t.rival_is_out_of_stock, false) and t.rival_price_gbp is not null)
               as rival_prices
    from {fct_listing_competitor_threat} t
    join wanted w using (listing_id)
    where t.rival_asin not in (select asin from catalog.listings)
    group by t.listing_id
),

recent_changes as (
    select c.listing_id,
           max(c.created_at) as last_change_at,
           count(*) filter (where c.created_at >= date_trunc('day', %(as_of)s::timestamptz)) as changes_today
    from pricing.price_changes c
    join wanted w using (listing_id)
    where c.dry_run = %(dry_run)s and c.status in ('proposed', 'submitted', 'accepted')
      and c.requested_by <> 'user' and c.created_at > %(as_of)s::timestamptz - interval '2 days'
    group by c.listing_id
),

stock as (
    select listing_id, sum(fulfillable_qty) as available_qty
    from inventory.stock join wanted using (listing_id)
    group by listing_id
)

select l.id as listing_id, l.sku, l.asin, l.custom_category, coalesce(l.tags, '{{}}') as tags,
       cp.price, cp.min_price, cp.max_price, cp.buy_box_price,
       m.floor_price_gbp,
       r.cheapest_rival, coalesce(r.rival_prices, '{{}}'::jsonb) as rival_prices,
       s.available_qty,
       rc.last_change_at, coalesce(rc.changes_today, 0) as changes_today
from wanted w
join catalog.listings l on l.id = w.listing_id
left join pricing.current_prices cp on cp.listing_id = l.id
left join {fct_listing_margins} m on m.listing_id = l.id
left join rivals r on r.listing_id = l.id
left join stock s on s.listing_id = l.id
left join recent_changes rc on rc.listing_id = l.id
