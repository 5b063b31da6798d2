-- Margins of each priced listing at candidate prices around its current price (the price rules' menu):
-- -20 % to +20 % in 1 % steps, each rounded to the penny (no .99 charm rounding: that is a rule's choice).
{%- set max_change_pct = var('price_point_max_change_pct', 20) %}
with inputs as (
    select * from {{ ref('int_listing_margin_inputs') }}
),

candidates as (
    select
        inputs.*,
        change.price_change_pct,
        round(inputs.current_price_gbp * (100 + change.price_change_pct) / 100, 2) as candidate_price_gbp
    from inputs
    cross join generate_series(-{{ max_change_pct }}, {{ max_change_pct }}) as change (price_change_pct)
    where inputs.current_price_gbp is not null
),

margins as (
    select
        candidates.listing_id,
        candidates.price_change_pct,
        candidates.candidate_price_gbp,
        candidates.candidate_price_gbp = candidates.current_price_gbp as is_current_price,
        {{ listing_margin('candidates.candidate_price_gbp', 'candidates', 'candidates.margin_floor_fraction') }},
        candidates.min_price_gbp,
        candidates.max_price_gbp
    from candidates
),

final as (
    select
        listing_id,
        price_change_pct,
        candidate_price_gbp,
        is_current_price,
        output_vat_gbp,
        price_ex_vat_gbp,
        referral_fee_gbp,
        referral_fee_source,
        fulfilment_cost_gbp,
        landed_cost_gbp,
        gross_margin_gbp,
        gross_margin_pct,
        net_margin_gbp,
        net_margin_pct,
        meets_margin_floor,
        candidate_price_gbp >= coalesce(min_price_gbp, 0)
            and candidate_price_gbp <= coalesce(max_price_gbp, candidate_price_gbp) as is_within_seller_limits
    from margins
)

select * from final
