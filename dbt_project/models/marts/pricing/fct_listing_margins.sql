-- Margins per listing at its current price, with the break-even price and the margin-floor price the
-- pricing rules guard with; pricing.current_prices' landed cost and margin columns are copied from here.
with inputs as (
    select * from {{ ref('int_listing_margin_inputs') }}
),

final as (
    select
        inputs.listing_id,
        inputs.fulfillment_channel,
        inputs.current_price_gbp,
        {{ listing_margin('inputs.current_price_gbp', margin_floor='inputs.margin_floor_fraction') }},
        inputs.fulfilment_cost_source,
        coalesce(inputs.current_price_gbp is not null and inputs.landed_cost_is_complete
            and inputs.fulfilment_cost_gbp is not null, false) as margin_is_complete,
        round(100 * inputs.margin_floor_fraction, 2) as margin_floor_pct,
        {{ lowest_price_for_net_margin('0') }} as break_even_price_gbp,
        {{ lowest_price_for_net_margin('inputs.margin_floor_fraction') }} as floor_price_gbp,
        current_date as priced_on
    from inputs
)

select * from final
