-- The ceiling's two sources per listing: the seller's max price and Amazon's featured offer expected price
-- (getFeaturedOfferExpectedPriceBatch, the latest successful answer per SKU, when the platform fetched one).
with expected as (
    select distinct on (r.request_key)
           r.request_key as sku,
           coalesce(r.payload -> 'body' -> 'featuredOfferExpectedPriceResults' -> 0 -> 'featuredOfferExpectedPrice'
                        -> 'listingPrice' ->> 'amount',
                    r.payload -> 'body' -> 'featuredOfferExpectedPriceResults' -> 0 -> 'featuredOfferExpectedPrice'
                        -> 'listingPrice' ->> 'Amount')::numeric as expected_price
    from raw.api_responses r
    where r.source = 'sp_api' and r.operation = 'getFeaturedOfferExpectedPriceBatch' and r.http_status = 200
    order by r.request_key, r._loaded_at desc
)
select l.id::text, p.max_price, e.expected_price
from catalog.listings l
left join pricing.current_prices p on p.listing_id = l.id
left join expected e on e.sku = l.sku
where p.max_price is not null or e.expected_price is not null
