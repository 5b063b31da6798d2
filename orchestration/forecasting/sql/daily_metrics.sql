-- One row per listing and report day with traffic or sales (the Sales and Traffic report has no row for a day
-- without either). buy_box_pct is 0-100; 0 with sessions means the offer was not shown (out of stock, suppressed).
copy (
    select m.listing_id::text as listing_id,
           coalesce(m.report_date, (m.time at time zone 'UTC')::date) as day,
           coalesce(m.units_ordered, 0) as units,
           coalesce(m.sessions, 0) as sessions,
           m.buy_box_pct,
           m.ordered_product_sales
    from analytics.performance_metrics m
    where m.time >= {since} and m.time < {until}
) to stdout (format csv, header)
