{#-
    Margin columns of one listing at a VAT-inclusive price, from a row of int_listing_margin_inputs
    (`inputs` is its alias). Emits a column list for a select:
      output_vat_gbp      price * vat_rate / (1 + vat_rate)
      price_ex_vat_gbp    price - output VAT
      referral_fee_gbp    Amazon's per-SKU estimate when there is one and the price is the current price
                          (Amazon estimated it there); otherwise the rate card: greatest(minimum, rate * price),
                          on the VAT-inclusive price
      fulfilment_cost_gbp, landed_cost_gbp   the inputs, for reading the row on its own
      gross_margin_gbp    price ex VAT - landed cost
      net_margin_gbp      gross margin - referral fee - fulfilment cost
      *_margin_pct        margin / price ex VAT * 100 (percentage points)
      meets_margin_floor  net margin >= margin_floor x price ex VAT (only when `margin_floor` is given)
    Fees are ex VAT: a VAT-registered UK seller reclaims the VAT Amazon adds to its fees, so the cost is the
    ex-VAT fee. Everything is computed unrounded and each column rounded on output (money 4 decimals,
    percentages 2), so the margin rises with the price without penny steps and meets_margin_floor agrees
    exactly with lowest_price_for_net_margin; net_margin_gbp may differ from its rounded parts by 0.0001.
    Amazon's own invoice rounds each fee to the penny. Every column is NULL when the price is NULL.
-#}
{% macro listing_margin(price, inputs='inputs', margin_floor=none) -%}
    {%- set output_vat = '(' ~ price ~ ' * ' ~ inputs ~ '.vat_rate / (1 + ' ~ inputs ~ '.vat_rate))' -%}
    {%- set price_ex_vat = '(' ~ price ~ ' - ' ~ output_vat ~ ')' -%}
    {%- set uses_estimate = inputs ~ '.referral_fee_estimate_gbp is not null and '
        ~ price ~ ' = ' ~ inputs ~ '.current_price_gbp' -%}
    {%- set referral_fee = '(case when ' ~ uses_estimate ~ ' then ' ~ inputs ~ '.referral_fee_estimate_gbp'
        ~ ' when ' ~ price ~ ' is not null then greatest(' ~ inputs ~ '.referral_minimum_fee_gbp, ' ~ price ~ ' * '
        ~ inputs ~ '.referral_rate) end)' -%}
    {%- set gross_margin = '(' ~ price_ex_vat ~ ' - ' ~ inputs ~ '.landed_cost_gbp)' -%}
    {%- set net_margin = '(' ~ gross_margin ~ ' - ' ~ referral_fee ~ ' - ' ~ inputs ~ '.fulfilment_cost_gbp)' -%}
    round({{ output_vat }}, 4) as output_vat_gbp,
    {{ price }} - round({{ output_vat }}, 4) as price_ex_vat_gbp,
    round({{ referral_fee }}, 4) as referral_fee_gbp,
    case when {{ uses_estimate }} then 'amazon_estimate' when {{ price }} is not null then 'rate_card' end
        as referral_fee_source,
    round({{ inputs }}.fulfilment_cost_gbp, 4) as fulfilment_cost_gbp,
    round({{ inputs }}.landed_cost_gbp, 4) as landed_cost_gbp,
    round({{ gross_margin }}, 4) as gross_margin_gbp,
    round(100 * {{ gross_margin }} / nullif({{ price_ex_vat }}, 0), 2) as gross_margin_pct,
    round({{ net_margin }}, 4) as net_margin_gbp,
    round(100 * {{ net_margin }} / nullif({{ price_ex_vat }}, 0), 2) as net_margin_pct
    {%- if margin_floor is not none %},
    {{ net_margin }} >= ({{ margin_floor }}) * {{ price_ex_vat }} as meets_margin_floor
    {%- endif %}
{%- endmacro %}
