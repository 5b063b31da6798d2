-- One row per listing and rival tracked for it: the rival's threat signals against that listing, their points,
-- the threat score (0-100), level and reason, and the listing's top threat on every row.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

products as (
    select * from {{ ref('stg_competitors__products') }}
),

scored as (
    select * from {{ ref('int_competitor_threat_scored') }}
    where threat_grain = 'listing'
),

reasons as (
    select * from {{ ref('int_competitor_threat_reasons_written') }}
    where threat_grain = 'listing'
),

windows as (
    select * from {{ ref('int_competitor_threat_windows_dated') }}
),

joined as (
    select
        scored.*,
        reasons.threat_reason,
        products.asin as rival_asin,
        products.title as rival_title,
        products.brand as rival_brand
    from scored
    inner join products on products.competitor_id = scored.competitor_id
    inner join reasons
        on reasons.listing_id = scored.listing_id
        and reasons.competitor_id = scored.competitor_id
),

-- The listing's top threat by window functions, not a self-join: one pass over ~10^6 rows.
ranked as (
    select
        joined.*,
        row_number() over by_threat as threat_rank_for_listing,
        first_value(joined.competitor_id) over by_threat as top_threat_competitor_id,
        first_value(joined.rival_asin) over by_threat as top_threat_rival_asin,
        first_value(joined.threat_score) over by_threat as top_threat_score,
        first_value(joined.threat_reason) over by_threat as top_threat_reason
    from joined
    -- Unscored rivals rank last; ties go to the cheaper rival, then the ASIN, so the order is stable.
    window by_threat as (
        partition by joined.listing_id
        order by joined.threat_score desc nulls last, joined.rival_price_gbp nulls last, joined.rival_asin
    )
),

final as (
    select
        ranked.listing_id,
        ranked.competitor_id,
        listings.sku,
        listings.asin,
        ranked.rival_asin,
        ranked.rival_title,
        ranked.rival_brand,
        ranked.our_price_gbp,
        ranked.rival_price_gbp,
        ranked.rival_is_out_of_stock,
        ranked.undercut_pct,
        ranked.price_gap_points,
        ranked.buy_box_share_taken_pct,
        ranked.buy_box_share_points,
        ranked.average_rank_recent,
        ranked.average_rank_prior,
        ranked.rank_improvement_pct,
        ranked.rank_trend_points,
        ranked.reviews_gained,
        ranked.review_velocity_points,
        ranked.rival_rating,
        ranked.our_rating,
        ranked.rating_points,
        round(100 * ranked.measured_weight, 2) as measured_weight_pct,
        ranked.threat_score,
        ranked.threat_level,
        ranked.threat_reason,
        ranked.threat_rank_for_listing,
        ranked.threat_rank_for_listing = 1 as is_top_threat_for_listing,
        ranked.top_threat_competitor_id,
        ranked.top_threat_rival_asin,
        ranked.top_threat_score,
        ranked.top_threat_reason,
        windows.window_days,
        windows.window_end_at
    from ranked
    inner join listings on listings.listing_id = ranked.listing_id
    cross join windows
)

select * from final
