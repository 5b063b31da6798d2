-- Threat points per signal, the threat score and level, for each rival (grain 'competitor') and for each listing
-- and tracked rival (grain 'listing'): one formula for both marts. Each signal scores 0-100 points; the score is
-- the weighted mean of the signals that could be measured (an unmeasured one leaves the denominator).
-- A table, not a view: both marts and the reasons read it, and at 10,000 listings it has ~10^6 rows.
-- Analysed right away: a fresh table has no statistics and the marts' joins would be planned for one row.
{{ config(materialized='table', post_hook='analyze {{ this }}') }}

with listing_signals as (
    select * from {{ ref('int_listing_competitor_signals_joined') }}
),

competitor_signals as (
    select * from {{ ref('int_competitor_signals_aggregated') }}
),

-- Materialised: inlined, every row would re-parse the JSON settings (~40 us a row).
parameters as materialized (
    select * from {{ ref('int_competitor_threat_parameters_typed') }}
),

{% set signal_columns = 'competitor_id, our_price_gbp, rival_price_gbp, rival_is_out_of_stock, undercut_pct,
    buy_box_share_taken_pct, average_rank_recent, average_rank_prior, rank_improvement_pct, reviews_gained,
    rival_rating, our_rating' %}
signals as (
    select 'listing' as threat_grain, listing_id, {{ signal_columns }} from listing_signals
    union all
    select 'competitor' as threat_grain, null::uuid as listing_id, {{ signal_columns }} from competitor_signals
),

-- points, weighted and scored are materialised: inlined, each later step would re-evaluate every earlier
-- expression it names (threat_score alone three times), several times slower at 10^6 rows.
points as materialized (
    select
        signals.*,
        parameters.*,
        -- Centred signals score 50 at parity (same price, steady rank, same rating).
        case
            when signals.our_price_gbp is null then null
            when signals.rival_is_out_of_stock then 0.00
            else {{ clamped_points('50 + 50 * signals.undercut_pct / parameters.full_undercut_pct') }}
        end as price_gap_points,
        {{ clamped_points('100 * signals.buy_box_share_taken_pct / parameters.full_buy_box_share_pct') }}
            as buy_box_share_points,
        {{ clamped_points('50 + 50 * signals.rank_improvement_pct / parameters.full_rank_improvement_pct') }}
            as rank_trend_points,
        {{ clamped_points('100 * signals.reviews_gained / parameters.full_reviews_gained') }} as review_velocity_points,
        case
            when signals.rival_rating is null then null
            when signals.our_rating is not null then
                {{ clamped_points('50 + 50 * (signals.rival_rating - signals.our_rating) / parameters.full_rating_lead_stars') }}
            -- Our rating unknown: the rival's stars alone, in bands.
            when signals.rival_rating >= 4.7 then 100.00
            when signals.rival_rating >= 4.4 then 75.00
            when signals.rival_rating >= 4.0 then 50.00
            when signals.rival_rating >= 3.5 then 25.00
            else 0.00
        end as rating_points
    from signals
    cross join parameters
),

weighted as materialized (
    select
        points.*,
        coalesce(price_gap_weight * price_gap_points, 0) + coalesce(buy_box_share_weight * buy_box_share_points, 0)
            + coalesce(rank_trend_weight * rank_trend_points, 0)
            + coalesce(review_velocity_weight * review_velocity_points, 0)
            + coalesce(rating_weight * rating_points, 0) as weighted_points,
        round(
            case when price_gap_points is not null then price_gap_weight else 0 end
            + case when buy_box_share_points is not null then buy_box_share_weight else 0 end
            + case when rank_trend_points is not null then rank_trend_weight else 0 end
            + case when review_velocity_points is not null then review_velocity_weight else 0 end
            + case when rating_points is not null then rating_weight else 0 end, 4) as measured_weight
    from points
),

scored as materialized (
    select
        weighted.*,
        round(weighted_points / nullif(measured_weight, 0), 2) as threat_score
    from weighted
),

final as (
    select
        threat_grain, listing_id, competitor_id, our_price_gbp, rival_price_gbp, rival_is_out_of_stock, undercut_pct,
        buy_box_share_taken_pct, average_rank_recent, average_rank_prior, rank_improvement_pct, reviews_gained,
        rival_rating, our_rating, window_days, price_gap_weight, buy_box_share_weight, rank_trend_weight,
        review_velocity_weight, rating_weight, price_gap_points, buy_box_share_points, rank_trend_points,
        review_velocity_points, rating_points, weighted_points, measured_weight, threat_score,
        case
            when threat_score >= high_from then 'high'
            when threat_score >= medium_from then 'medium'
            when threat_score is not null then 'low'
        end as threat_level
    from scored
)

select * from final
