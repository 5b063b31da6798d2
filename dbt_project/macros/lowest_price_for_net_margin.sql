{#-
    The lowest VAT-inclusive price, rounded up to the penny, at which a listing (a row of
    int_listing_margin_inputs aliased `inputs`) keeps a net margin of at least `margin_fraction` of its price
    ex VAT, with the referral fee from the rate card (Amazon's per-SKU estimate holds at the current price
    only). With K = landed cost + fulfilment cost, m the margin fraction, v the VAT rate:
        price / (1 + v) * (1 - m) - greatest(minimum fee, rate * price) >= K
    <=> price >= (K + minimum fee) * (1 + v) / (1 - m)   and   price >= K * (1 + v) / ((1 - m) - rate * (1 + v)).
    Each bound is one division of exact decimals, so a bound that is a whole penny stays one under ceil().
    NULL when a cost is unknown or no price reaches the margin ((1 - m) <= rate * (1 + v)).
    margin_fraction 0 gives the break-even price. Agrees with listing_margin's unrounded meets_margin_floor:
    the price returned meets the margin, one penny less does not.
-#}
{% macro lowest_price_for_net_margin(margin_fraction, inputs='inputs') -%}
    {%- set keep = '(1 - (' ~ margin_fraction ~ '))' -%}
    {%- set with_vat = '(1 + ' ~ inputs ~ '.vat_rate)' -%}
    {%- set costs = '(' ~ inputs ~ '.landed_cost_gbp + ' ~ inputs ~ '.fulfilment_cost_gbp)' -%}
    case when {{ keep }} > {{ inputs }}.referral_rate * {{ with_vat }} then
        round(ceil(100 * greatest(
            ({{ costs }} + {{ inputs }}.referral_minimum_fee_gbp) * {{ with_vat }} / {{ keep }},
            {{ costs }} * {{ with_vat }} / ({{ keep }} - {{ inputs }}.referral_rate * {{ with_vat }})
        )) / 100, 2)
    end
{%- endmacro %}
