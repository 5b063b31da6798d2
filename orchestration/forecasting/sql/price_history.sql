-- Our own listed prices as observed, the last one of each UTC day (pricing.price_history has a row per change).
copy (
    select distinct on (h.listing_id, (h.time at time zone 'UTC')::date)
           h.listing_id::text as listing_id, (h.time at time zone 'UTC')::date as day, h.price
    from pricing.price_history h
    where h.time < {until}
    order by h.listing_id, (h.time at time zone 'UTC')::date, h.time desc
) to stdout (format csv, header)
