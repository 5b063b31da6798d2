-- One line per scored rival (and per listing and rival) a seller can read on why it threatens: the (up to) two
-- threatening signals with the most weighted points, e.g. "undercuts you by 12% and gained 40 reviews in 30 days".
-- A signal is cited from 10 points above its neutral value: a centred one (price, rank, rating; 50 = parity) from
-- 60, a counted one (Buy Box share, reviews; 0 = none) from 10. Set-based (one pass, then a window), because a
-- per-row subquery costs ~0.1 ms a row, minutes at 10^6 rows. A table: both marts and its tests read it.
{{ config(materialized='table', post_hook='analyze {{ this }}') }}

with scored as (
    select * from {{ ref('int_competitor_threat_scored') }}
),

candidates as (
    select
        scored.threat_grain,
        scored.listing_id,
        scored.competitor_id,
        candidate.position,
        candidate.contribution,
        candidate.phrase
    from scored
    cross join lateral (values
        (1, scored.price_gap_weight * scored.price_gap_points, scored.price_gap_points >= 60,
            'undercuts you by ' || round(scored.undercut_pct) || '%'),
        (2, scored.buy_box_share_weight * scored.buy_box_share_points, scored.buy_box_share_points >= 10,
            'held your Buy Box ' || round(scored.buy_box_share_taken_pct) || '% of the last ' || scored.window_days
            || ' days'),
        (3, scored.rank_trend_weight * scored.rank_trend_points, scored.rank_trend_points >= 60,
            'improved its sales rank by ' || round(scored.rank_improvement_pct) || '% in ' || scored.window_days
            || ' days'),
        (4, scored.review_velocity_weight * scored.review_velocity_points, scored.review_velocity_points >= 10,
            'gained ' || scored.reviews_gained || ' reviews in ' || scored.window_days || ' days'),
        (5, scored.rating_weight * scored.rating_points, scored.rating_points >= 60,
            'is rated ' || round(scored.rival_rating, 1) || ' stars'
            || coalesce(' vs your ' || round(scored.our_rating, 1), ''))
    ) as candidate (position, contribution, is_threatening, phrase)
    where candidate.is_threatening
),

ranked as (
    select
        candidates.*,
        row_number() over (
            partition by threat_grain, listing_id, competitor_id order by contribution desc, position
        ) as citation_rank
    from candidates
),

cited as (
    select
        threat_grain,
        -- A hashable join key: listing_id is NULL at grain competitor.
        coalesce(listing_id, '00000000-0000-0000-0000-000000000000'::uuid) as listing_key,
        competitor_id,
        string_agg(phrase, ' and ' order by citation_rank) as cited_signals
    from ranked
    where citation_rank <= 2
    group by threat_grain, listing_id, competitor_id
),

final as (
    select
        scored.threat_grain,
        scored.listing_id,
        scored.competitor_id,
        coalesce(
            cited.cited_signals,
            case
                when scored.measured_weight > 0 then 'no sign of threat in the last ' || scored.window_days || ' days'
                else 'not enough Keepa data to score yet'
            end
        ) as threat_reason
    from scored
    left join cited
        on cited.threat_grain = scored.threat_grain
        and cited.listing_key = coalesce(scored.listing_id, '00000000-0000-0000-0000-000000000000'::uuid)
        and cited.competitor_id = scored.competitor_id
)

select * from final
