-- One row per issue Amazon reports on a listing, from the latest getListingsItem answer per SKU.
with source as (
    select * from {{ source('raw', 'spapi_listings_items') }}
    where operation = 'getListingsItem' and http_status = 200
),

latest as (
    select distinct on (request_key) *
    from source
    order by request_key, _loaded_at desc, id desc
),

issues as (
    select
        l.request_key as sku,
        l._loaded_at as fetched_at,
        issue.ordinality as issue_number,
        issue.value ->> 'code' as issue_code,
        issue.value ->> 'message' as issue_message,
        upper(issue.value ->> 'severity') as issue_severity,
        issue.value -> 'attributeNames' as attribute_names,
        coalesce(jsonb_array_length(issue.value -> 'enforcements' -> 'actions'), 0) > 0 as is_enforced
    from latest l
    cross join lateral jsonb_array_elements(coalesce(l.payload -> 'issues', '[]')) with ordinality as issue
)

select * from issues
