-- The median tracked rival's price per listing and day (dbt's int_listing_rival_prices, built with the scores).
copy (
    select listing_id::text as listing_id, score_date as day, rival_median_price_gbp as price
    from intermediate.int_listing_rival_prices
    where score_date between {first_day} and {last_day}
) to stdout (format csv, header)
