-- The sellers behind each rival product: its current Buy Box seller, every seller Keepa saw holding its Buy Box
-- in the last two threat windows, and Amazon when Amazon offered it. These are the sellers who can take our
-- Buy Box "as" that rival.
with products as (
    select * from {{ ref('stg_competitors__products') }}
),

history as (
    select * from {{ ref('stg_competitors__price_history') }}
),

windows as (
    select * from {{ ref('int_competitor_threat_windows_dated') }}
),

current_sellers as (
    select competitor_id, seller_id
    from products
    where seller_id is not null
),

windowed_history as (
    select history.*
    from history
    -- Scalar subqueries: their values prune the monthly partitions at run time.
    where history.observed_at >= (select prior_start_at from windows)
      and history.observed_at <= (select window_end_at from windows)
),

buy_box_sellers as (
    select competitor_id, buy_box_seller_id as seller_id
    from windowed_history
    where buy_box_seller_id is not null
),

amazon_offers as (
    select competitor_id, '{{ amazon_uk_seller_id() }}' as seller_id
    from windowed_history
    where amazon_price_gbp is not null
),

final as (
    select competitor_id, seller_id from current_sellers
    union
    select competitor_id, seller_id from buy_box_sellers
    union
    select competitor_id, seller_id from amazon_offers
)

select * from final
