-- Brand Analytics search terms from the latest load per reporting period: which ASINs shoppers click
-- for a term, and how often the term is searched (rank 1 = most searched on amazon.co.uk).
with source as (
    select * from {{ source('raw', 'spapi_search_terms') }}
),

latest_document as (
    select distinct on (report_period, period_start_date) report_document_id
    from source
    order by report_period, period_start_date, _loaded_at desc
),

renamed as (
    select
        s.report_document_id,
        s.line_number,
        s.marketplace_id,
        s.report_period,
        s.period_start_date,
        s.period_end_date,
        s.department_name,
        lower(btrim(s.search_term)) as search_term,
        s.search_frequency_rank,
        s.click_share_rank,
        s.clicked_asin,
        s.click_share,
        s.conversion_share,
        s._loaded_at as loaded_at
    from source s
    join latest_document using (report_document_id)
)

select * from renamed
