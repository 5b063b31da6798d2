-- The settings the marts compute with, typed, in one row: every formula reads them from here.
with settings as (
    select * from {{ ref('stg_system__settings') }}
),

final as (
    select
        (select setting_value from settings where setting_key = 'scoring.weights') as scoring_weights,
        (select (setting_value #>> '{}')::numeric from settings where setting_key = 'fees.vat_rate') as vat_rate,
        (select (setting_value #>> '{}')::numeric from settings where setting_key = 'pricing.overhead_rate')
            as overhead_rate,
        (select (setting_value #>> '{}')::numeric from settings where setting_key = 'pricing.default_margin_floor')
            as default_margin_floor,
        (select setting_value from settings where setting_key = 'fees.referral_rate_card') as referral_rate_card,
        (select setting_value from settings where setting_key = 'fx.rates_to_gbp') as fx_rates_to_gbp,
        (select setting_value #>> '{}' from settings where setting_key = 'locale.marketplace_id') as marketplace_id,
        (select (setting_value #>> '{}')::numeric from settings where setting_key = 'pricing.fbm_fulfilment_cost_gbp')
            as fbm_fulfilment_cost_gbp,
        (select setting_value #>> '{}' from settings where setting_key = 'fees.referral_category') as referral_category,
        (select setting_value from settings where setting_key = 'competitors.threat_weights') as threat_weights,
        (select (setting_value #>> '{}')::integer from settings where setting_key = 'competitors.threat_window_days')
            as threat_window_days,
        (select setting_value from settings where setting_key = 'competitors.threat_full_points')
            as threat_full_points,
        (select setting_value from settings where setting_key = 'competitors.threat_levels') as threat_levels
)

select * from final
