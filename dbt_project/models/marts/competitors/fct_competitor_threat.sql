-- One row per rival product: its threat signals against the seller's listings, their points, the threat score
-- (0-100; copied into competitors.products.threat_score by a Dagster asset), level and a reason to read.
with products as (
    select * from {{ ref('stg_competitors__products') }}
),

competitor_signals as (
    select * from {{ ref('int_competitor_signals_aggregated') }}
),

scored as (
    select * from {{ ref('int_competitor_threat_scored') }}
    where threat_grain = 'competitor'
),

reasons as (
    select * from {{ ref('int_competitor_threat_reasons_written') }}
    where threat_grain = 'competitor'
),

windows as (
    select * from {{ ref('int_competitor_threat_windows_dated') }}
),

final as (
    select
        scored.competitor_id,
        products.asin,
        products.marketplace_id,
        products.title,
        products.brand,
        products.seller_id,
        competitor_signals.tracked_listing_count,
        scored.our_price_gbp,
        scored.rival_price_gbp,
        scored.rival_is_out_of_stock,
        scored.undercut_pct,
        scored.price_gap_points,
        scored.buy_box_share_taken_pct,
        scored.buy_box_share_points,
        scored.average_rank_recent,
        scored.average_rank_prior,
        scored.rank_improvement_pct,
        scored.rank_trend_points,
        scored.reviews_gained,
        scored.review_velocity_points,
        scored.rival_rating,
        scored.our_rating,
        scored.rating_points,
        round(100 * scored.measured_weight, 2) as measured_weight_pct,
        scored.threat_score,
        scored.threat_level,
        reasons.threat_reason,
        windows.window_days,
        windows.window_end_at
    from scored
    inner join products on products.competitor_id = scored.competitor_id
    inner join competitor_signals on competitor_signals.competitor_id = scored.competitor_id
    inner join reasons on reasons.competitor_id = scored.competitor_id
    cross join windows
)

select * from final
