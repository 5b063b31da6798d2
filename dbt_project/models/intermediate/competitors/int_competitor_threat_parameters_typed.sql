-- The threat score's settings in one typed row: signal weights (fractions), the size of each signal that earns
-- full points, the level thresholds (0-100) and the window in days.
with settings as (
    select * from {{ ref('int_settings_current') }}
),

final as (
    select
        threat_window_days as window_days,
        (threat_weights ->> 'price_gap')::numeric as price_gap_weight,
        (threat_weights ->> 'buy_box_share')::numeric as buy_box_share_weight,
        (threat_weights ->> 'rank_trend')::numeric as rank_trend_weight,
        (threat_weights ->> 'review_velocity')::numeric as review_velocity_weight,
        (threat_weights ->> 'rating')::numeric as rating_weight,
        (threat_full_points ->> 'undercut_pct')::numeric as full_undercut_pct,
        (threat_full_points ->> 'buy_box_share_pct')::numeric as full_buy_box_share_pct,
        (threat_full_points ->> 'rank_improvement_pct')::numeric as full_rank_improvement_pct,
        (threat_full_points ->> 'reviews_gained')::numeric as full_reviews_gained,
        (threat_full_points ->> 'rating_lead_stars')::numeric as full_rating_lead_stars,
        (threat_levels ->> 'medium')::numeric as medium_from,
        (threat_levels ->> 'high')::numeric as high_from
    from settings
)

select * from final
