-- Competitive position scored per listing and day: Buy Box share, our price against the Buy Box and against
-- the median of tracked rivals, our rating and review count. A metric with no data that day is "not measured".
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
{%- set top_rating = rules.rating_bands[0][0] %}
{%- set top_reviews = rules.review_count_bands[0][0] %}
with competitive_position as (
    select * from {{ ref('int_listing_competitive_position') }}
),

measured as (
    select
        *,
        case when our_price_source = 'average selling price' then 'your average selling price' else 'your price' end
            as our_price_label,
        round(100 * (our_price_gbp - buy_box_price_gbp) / nullif(buy_box_price_gbp, 0), 1) as above_buy_box_pct,
        round(100 * (our_price_gbp - rival_median_price_gbp) / nullif(rival_median_price_gbp, 0), 1) as above_rivals_pct
    from competitive_position
),

final as (
    select m.listing_id, m.score_date, m.content_version_number,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('competitive', 'buy_box_share', m.buy_box_share_pct,
         round({{ points.buy_box_share }} * m.buy_box_share_pct / 100, 2),
         case when m.buy_box_share_pct is not null then {{ points.buy_box_share }} end::numeric,
         m.buy_box_share_pct is not null,
         case
             when m.buy_box_share_pct is null then 'not measured: no Buy Box data for this day'
             when m.buy_box_source = 'sales and traffic report'
                 then format('Buy Box on %s%% of page views', to_char(m.buy_box_share_pct, 'FM990.0'))
             when m.buy_box_share_pct = 100 then format('you hold the Buy Box (%s)', m.buy_box_source)
             else format('another seller holds the Buy Box (%s)', m.buy_box_source)
         end,
         case
             when m.buy_box_share_pct < 100 and m.buy_box_source = 'sales and traffic report'
                 then format('Win back the Buy Box (held on %s%% of page views): check price, stock and delivery',
                             to_char(m.buy_box_share_pct, 'FM990.0'))
             when m.buy_box_share_pct < 100 then 'Win back the Buy Box: check price, stock and delivery'
         end),
        ('competitive', 'price_vs_buy_box', m.above_buy_box_pct,
         case
             when m.above_buy_box_pct <= 0 then {{ points.price_vs_buy_box }}
             when m.above_buy_box_pct <= {{ rules.price_vs_buy_box_tolerance_pct }} then {{ points.price_vs_buy_box / 2 }}
             when m.above_buy_box_pct is not null then 0
         end::numeric,
         case when m.above_buy_box_pct is not null then {{ points.price_vs_buy_box }} end::numeric,
         m.above_buy_box_pct is not null,
         case
             when m.our_price_gbp is null then 'not measured: our price that day is unknown'
             when m.buy_box_price_gbp is null then 'not measured: no Buy Box price known for that day'
             when m.above_buy_box_pct <= 0
                 then format('%s %s; Buy Box %s', m.our_price_label, {{ format_gbp('m.our_price_gbp') }},
                             {{ format_gbp('m.buy_box_price_gbp') }})
             else format('%s %s is %s%% above the Buy Box %s', m.our_price_label, {{ format_gbp('m.our_price_gbp') }},
                         m.above_buy_box_pct, {{ format_gbp('m.buy_box_price_gbp') }})
         end,
         case
             when m.above_buy_box_pct > 0
                 then format('Review the price: %s is %s%% above the Buy Box %s', {{ format_gbp('m.our_price_gbp') }},
                             m.above_buy_box_pct, {{ format_gbp('m.buy_box_price_gbp') }})
         end),
        ('competitive', 'price_vs_rivals', m.above_rivals_pct,
         case
             when m.above_rivals_pct <= 0 then {{ points.price_vs_rivals }}
             when m.above_rivals_pct <= {{ rules.price_vs_rivals_tolerance_pct }} then {{ points.price_vs_rivals / 2 }}
             when m.above_rivals_pct is not null then 0
         end::numeric,
         case when m.above_rivals_pct is not null then {{ points.price_vs_rivals }} end::numeric,
         m.above_rivals_pct is not null,
         case
             when m.our_price_gbp is null then 'not measured: our price that day is unknown'
             when m.rival_median_price_gbp is null then 'not measured: no tracked rival had a price that day'
             else format('%s %s; median of %s tracked rivals %s (%s%% %s)', m.our_price_label,
                         {{ format_gbp('m.our_price_gbp') }}, m.rival_count, {{ format_gbp('m.rival_median_price_gbp') }},
                         abs(m.above_rivals_pct), case when m.above_rivals_pct > 0 then 'above' else 'below or equal' end)
         end,
         case
             when m.above_rivals_pct > 0
                 then format('Review the price: %s is %s%% above the median %s of %s tracked rivals',
                             {{ format_gbp('m.our_price_gbp') }}, m.above_rivals_pct,
                             {{ format_gbp('m.rival_median_price_gbp') }}, m.rival_count)
         end),
        ('competitive', 'rating', m.rating,
         case
             {%- for stars, band_points in rules.rating_bands %}
             when m.rating >= {{ stars }} then {{ band_points }}
             {%- endfor %}
             when m.rating is not null then 0
         end::numeric,
         case when m.rating is not null then {{ points.rating }} end::numeric,
         m.rating is not null,
         case
             when m.rating is null then 'not measured: no source holds this listing''s own star rating yet'
             else format('rating %s stars', m.rating)
         end,
         case
             when m.rating < {{ top_rating }}
                 then format('Lift the rating (%s stars): answer reviews and fix what they complain about', m.rating)
         end),
        ('competitive', 'review_count', m.review_count::numeric,
         case
             {%- for reviews, band_points in rules.review_count_bands %}
             when m.review_count >= {{ reviews }} then {{ band_points }}
             {%- endfor %}
             when m.review_count is not null then 0
         end::numeric,
         case when m.review_count is not null then {{ points.review_count }} end::numeric,
         m.review_count is not null,
         case
             when m.review_count is null then 'not measured: no source holds this listing''s own review count yet'
             else format('%s reviews', m.review_count)
         end,
         case
             when m.review_count < {{ top_reviews }}
                 then format('Collect more reviews (%s of {{ top_reviews }}): Request a Review, Amazon Vine', m.review_count)
         end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
