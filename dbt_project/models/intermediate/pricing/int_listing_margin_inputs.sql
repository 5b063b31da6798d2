-- Everything a margin needs per listing except the price: landed cost, fees, fulfilment cost, VAT and the
-- margin floor. The listing_margin macro turns one of these rows and any price into margins.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

current_prices as (
    select * from {{ ref('stg_pricing__current_prices') }}
),

landed_costs as (
    select * from {{ ref('int_listing_landed_costs_summed') }}
),

referral_rates as (
    select * from {{ ref('int_referral_rates_dated') }}
),

settings as (
    select * from {{ ref('int_settings_current') }}
),

rate_today as (
    select referral_rates.*
    from referral_rates
    inner join settings on referral_rates.category = settings.referral_category
    where referral_rates.effective_from <= current_date
        and (referral_rates.effective_to is null or referral_rates.effective_to >= current_date)
),

final as (
    select
        listings.listing_id,
        listings.fulfillment_channel,
        current_prices.price_gbp as current_price_gbp,
        settings.vat_rate,
        landed_costs.landed_cost_gbp,
        landed_costs.landed_cost_is_complete,
        current_prices.referral_fee_estimate_gbp,
        rate_today.referral_rate,
        rate_today.referral_minimum_fee_gbp,
        -- FBA: Amazon's per-SKU fee; FBM: the seller's own cost from settings. An FBA listing Amazon has not
        -- quoted yet has no fulfilment cost, so its net margin stays empty instead of looking too good.
        case listings.fulfillment_channel
            when 'FBA' then current_prices.fba_fee_estimate_gbp
            when 'FBM' then settings.fbm_fulfilment_cost_gbp
        end as fulfilment_cost_gbp,
        case
            when listings.fulfillment_channel = 'FBA' and current_prices.fba_fee_estimate_gbp is not null
                then 'fba_fee_estimate'
            when listings.fulfillment_channel = 'FBM' and settings.fbm_fulfilment_cost_gbp is not null
                then 'fbm_setting'
            else 'missing'
        end as fulfilment_cost_source,
        -- The listing's floor is in percent, the setting a fraction.
        round(coalesce(current_prices.margin_floor_pct / 100, settings.default_margin_floor), 4)
            as margin_floor_fraction,
        current_prices.min_price_gbp,
        current_prices.max_price_gbp
    from listings
    cross join settings
    left join current_prices on listings.listing_id = current_prices.listing_id
    left join landed_costs on listings.listing_id = landed_costs.listing_id
    left join rate_today on true
)

select * from final
