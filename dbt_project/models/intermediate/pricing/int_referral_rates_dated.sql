-- The referral fee rate card as dated rows: an entry holds from its effective_from until the day before the
-- category's next entry, so a margin on any date finds the rate Amazon charged then.
with settings as (
    select * from {{ ref('int_settings_current') }}
),

entries as (
    select
        entry ->> 'category' as category,
        (entry ->> 'rate')::numeric as referral_rate,
        (entry ->> 'minimum_fee_gbp')::numeric as referral_minimum_fee_gbp,
        (entry ->> 'effective_from')::date as effective_from
    from settings
    cross join lateral jsonb_array_elements(coalesce(settings.referral_rate_card -> 'entries', '[]'::jsonb)) as entry
),

final as (
    select
        category,
        referral_rate,
        referral_minimum_fee_gbp,
        effective_from,
        lead(effective_from) over (partition by category order by effective_from) - 1 as effective_to
    from entries
)

select * from final
