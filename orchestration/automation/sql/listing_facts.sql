-- One row per listing with every field a rule may test, as of %(as_of)s: the table each rule's compiled
-- trigger and conditions run against (built once per tick, then one query per rule).
-- Live ticks (%(live)s) read current prices and stock; a backtest day reads price and stock history.
-- Marts keep no history of margins and competitors: a backtest sees them as of the last dbt build.
-- The fct_* placeholders are the dbt marts, or empty stand-ins with the same columns before the first dbt build.
with listings as (
    select * from catalog.listings
),

settings as (
    select coalesce((select (value #>> '{{}}')::numeric from system.settings
                     where key = 'automation.reorder_cover_days'), 14) as reorder_cover_days
),

latest_scores as (
    select distinct on (listing_id) listing_id, total_score, seo_score, content_score, image_score,
           competitive_score, compliance_score, score_date
    from {fct_listing_scores} as scores
    where score_date <= %(as_of)s::date
    order by listing_id, score_date desc
),

top_fixes as (
    select listing_id, fix, points_gained
    from {fct_listing_top_fixes} as fixes
    where listing_fix_rank = 1
),

performance as (
    select listing_id,
           sum(sessions) filter (where metric_date > %(as_of)s::date - 7) as sessions_7d,
           sum(units_ordered) filter (where metric_date > %(as_of)s::date - 7) as units_ordered_7d,
           round(avg(buy_box_pct) filter (where metric_date > %(as_of)s::date - 7 and was_reported), 2)
               as buy_box_pct_7d,
           round(sum(units_ordered)::numeric / 28, 3) as units_per_day_28d
    from {fct_listing_performance_daily} as daily
    where metric_date > %(as_of)s::date - 28 and metric_date <= %(as_of)s::date
    group by listing_id
),

prices_now as (
    select listing_id, price, buy_box_price, has_buy_box, min_price, max_price
    from pricing.current_prices
    where %(live)s
),

prices_then as (
    select distinct on (listing_id) h.listing_id, h.price, h.buy_box_price, h.has_buy_box,
           cp.min_price, cp.max_price
    from pricing.price_history h
    left join pricing.current_prices cp using (listing_id)
    where not %(live)s and h.time <= %(as_of)s
    order by h.listing_id, h.time desc
),

prices as (
    select * from prices_now
    union all
    select * from prices_then
),

stock_now as (
    select listing_id, sum(fulfillable_qty) as available_qty,
           sum(inbound_working_qty + inbound_shipped_qty + inbound_receiving_qty) as inbound_qty,
           min(reorder_point) as reorder_point, min(days_of_cover) as days_of_cover
    from inventory.stock
    where %(live)s
    group by listing_id
),

stock_then as (
    select distinct on (h.listing_id) h.listing_id, h.fulfillable_qty::bigint as available_qty,
           h.inbound_qty::bigint as inbound_qty, s.reorder_point, null::numeric as days_of_cover
    from inventory.stock_history h
    left join (select listing_id, min(reorder_point) as reorder_point from inventory.stock group by 1) s
        using (listing_id)
    where not %(live)s and h.time <= %(as_of)s
    order by h.listing_id, h.time desc
),

stock as (
    select * from stock_now
    union all
    select * from stock_then
),

-- Replenishment lead time: the slowest default supplier of the listing's bill of materials.
lead_times as (
    select b.listing_id, max(s.lead_time_days) as lead_time_days
    from inventory.bill_of_materials b
    join inventory.components c on c.id = b.component_id
    join inventory.suppliers s on s.id = c.default_supplier_id
    group by b.listing_id
),

-- The forecasting part's latest reorder suggestion per listing (its reorder point is forecast-based).
reorder_suggestions as (
    select distinct on (listing_id) listing_id, reorder_point, reorder_now, days_of_cover
    from {reorder_suggestions} as suggestions
    where forecast_date <= %(as_of)s::date
    order by listing_id, forecast_date desc, generated_at desc
),

margins as (
    select listing_id, net_margin_pct, margin_floor_pct, meets_margin_floor, floor_price_gbp, margin_is_complete
    from {fct_listing_margins} as margins
),

rivals as (
    select listing_id,
           count(*) as rival_count,
           min(rival_price_gbp) filter (where not coalesce(rival_is_out_of_stock, false)) as cheapest_rival_price,
           max(undercut_pct) filter (where not coalesce(rival_is_out_of_stock, false)) as max_undercut_pct,
           max(top_threat_score) as top_threat_score,
           max(top_threat_reason) as top_threat_reason
    from {fct_listing_competitor_threat} as threats
    group by listing_id
),

final as (
    select
        l.id as listing_id,
        l.sku as "listing.sku",
        l.asin as "listing.asin",
        l.title as "listing.title",
        l.status as "listing.status",
        l.fulfillment_channel as "listing.fulfillment_channel",
        l.custom_category as "listing.custom_category",
        l.product_group as "listing.product_group",
        l.lifecycle_stage as "listing.lifecycle_stage",
        l.brand as "listing.brand",
        coalesce(l.tags, '{{}}') as "listing.tags",
        ls.total_score as "score.total",
        ls.seo_score as "score.seo",
        ls.content_score as "score.content",
        ls.image_score as "score.image",
        ls.competitive_score as "score.competitive",
        ls.compliance_score as "score.compliance",
        tf.fix as "score.top_fix",
        p.price as "price.current",
        p.buy_box_price as "price.buy_box_price",
        p.has_buy_box as "price.has_buy_box",
        p.min_price as "price.min_price",
        p.max_price as "price.max_price",
        perf.buy_box_pct_7d as "performance.buy_box_pct_7d",
        perf.sessions_7d as "performance.sessions_7d",
        perf.units_ordered_7d as "performance.units_ordered_7d",
        perf.units_per_day_28d as "performance.units_per_day_28d",
        m.net_margin_pct as "margin.net_margin_pct",
        m.margin_floor_pct as "margin.margin_floor_pct",
        m.meets_margin_floor as "margin.meets_margin_floor",
        m.floor_price_gbp as "margin.floor_price",
        coalesce(m.margin_is_complete, false) as "margin.margin_is_complete",
        s.available_qty as "stock.available_qty",
        s.inbound_qty as "stock.inbound_qty",
        s.available_qty + coalesce(s.inbound_qty, 0) as "stock.position_qty",
        coalesce(lt.lead_time_days, 0) as "stock.lead_time_days",
        -- the seller's reorder point, else the forecast's, else sales over the supplier lead time + cover days
        coalesce(s.reorder_point, rs.reorder_point,
                 ceil(coalesce(perf.units_per_day_28d, 0)
                      * (coalesce(lt.lead_time_days, 0) + (select reorder_cover_days from settings))))::bigint
            as "stock.reorder_point",
        coalesce(s.days_of_cover, rs.days_of_cover) as "stock.days_of_cover",
        rs.reorder_now as "stock.reorder_now",
        coalesce(r.rival_count, 0) as "competitor.rival_count",
        r.cheapest_rival_price as "competitor.cheapest_rival_price",
        r.max_undercut_pct as "competitor.max_undercut_pct",
        r.top_threat_score as "competitor.top_threat_score",
        r.top_threat_reason as "competitor.top_threat_reason"
    from listings l
    left join latest_scores ls on ls.listing_id = l.id
    left join top_fixes tf on tf.listing_id = l.id
    left join prices p on p.listing_id = l.id
    left join performance perf on perf.listing_id = l.id
    left join margins m on m.listing_id = l.id
    left join stock s on s.listing_id = l.id
    left join lead_times lt on lt.listing_id = l.id
    left join reorder_suggestions rs on rs.listing_id = l.id
    left join rivals r on r.listing_id = l.id
)

select * from final
