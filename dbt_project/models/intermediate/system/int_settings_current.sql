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
        (select setting_value #>> '{}' from settings where setting_key = 'locale.marketplace_id') as marketplace_id
)

select * from final
