-- One row per ASIN: the latest getCompetitivePricing answer (raw.api_responses keeps every fetch).
with source as (
    select * from {{ source('raw', 'spapi_competitive_pricing') }}
    where operation = 'getCompetitivePricing' and http_status = 200
),

latest as (
    select distinct on (request_key) *
    from source
    order by request_key, _loaded_at desc, id desc
),

renamed as (
    select
        request_key as asin,
        _loaded_at as fetched_at,
        payload -> 'Product' -> 'CompetitivePricing' as competitive_pricing,
        (payload -> 'Product' -> 'SalesRankings' -> 0 ->> 'Rank')::integer as sales_rank,
        payload -> 'Product' -> 'SalesRankings' -> 0 ->> 'ProductCategoryId' as sales_rank_category
    from latest
),

-- CompetitivePriceId 1 is the Buy Box price for new items.
final as (
    select
        r.asin,
        r.fetched_at,
        (bb.value -> 'Price' -> 'LandedPrice' ->> 'Amount')::numeric as buy_box_landed_price_gbp,
        (bb.value ->> 'belongsToRequester')::boolean as we_hold_buy_box,
        (select sum((o ->> 'Count')::integer)
           from jsonb_array_elements(coalesce(r.competitive_pricing -> 'NumberOfOfferListings', '[]')) o
          where o ->> 'condition' = 'New') as new_offer_count,
        r.sales_rank,
        r.sales_rank_category
    from renamed r
    left join lateral (
        select value from jsonb_array_elements(coalesce(r.competitive_pricing -> 'CompetitivePrices', '[]'))
        where value ->> 'CompetitivePriceId' = '1' and value ->> 'condition' = 'New'
        limit 1
    ) bb on true
)

select * from final
