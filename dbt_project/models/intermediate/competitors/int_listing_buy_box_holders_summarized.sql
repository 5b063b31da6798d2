-- Who held the Buy Box on each of our listings' ASINs over the recent threat window, in seconds, from Keepa's
-- Buy Box seller history of our own ASINs. Keepa records changes only: a holder keeps the Buy Box until the
-- next change, and the holder at the window start is the last change before it (however old).
with own_products as (
    select * from {{ ref('int_listing_own_products_matched') }}
),

history as (
    select * from {{ ref('stg_competitors__price_history') }}
),

windows as (
    select * from {{ ref('int_competitor_threat_windows_dated') }}
),

holder_changes as (
    select
        history.competitor_id as own_product_id,
        history.buy_box_seller_id as seller_id,
        history.observed_at as held_from,
        lead(history.observed_at) over (partition by history.competitor_id order by history.observed_at) as held_until
    from history
    cross join windows
    where history.buy_box_seller_id is not null
      and history.observed_at <= windows.window_end_at
      and history.competitor_id in (select own_product_id from own_products)
),

clipped as (
    select
        holder_changes.own_product_id,
        holder_changes.seller_id,
        greatest(holder_changes.held_from, windows.recent_start_at) as clipped_from,
        least(coalesce(holder_changes.held_until, windows.window_end_at), windows.window_end_at) as clipped_until
    from holder_changes
    cross join windows
),

per_product as (
    select
        own_product_id,
        seller_id,
        sum(extract(epoch from clipped_until - clipped_from))::bigint as seconds_held
    from clipped
    where clipped_until > clipped_from
    group by own_product_id, seller_id
),

final as (
    select
        own_products.listing_id,
        per_product.seller_id,
        per_product.seconds_held,
        sum(per_product.seconds_held) over (partition by own_products.listing_id) as seconds_observed
    from own_products
    inner join per_product on per_product.own_product_id = own_products.own_product_id
)

select * from final
