-- Per listing, the pricing.costs lines valid today: the latest record of each type (a record holds until
-- the next one of its type), extras summed, and the landed cost override kept apart.
with costs as (
    select * from {{ ref('stg_pricing__costs') }}
),

latest_per_type as (
    select distinct on (listing_id, cost_type)
        listing_id,
        cost_type,
        amount_per_unit_gbp
    from costs
    where valid_from <= current_date
    order by listing_id, cost_type, valid_from desc
),

final as (
    select
        listing_id,
        round(coalesce(sum(amount_per_unit_gbp) filter (where cost_type <> 'landed_cost_override'), 0), 4)
            as extra_costs_gbp,
        -- Recording 0 stops a cost (docs/decisions/2026-11-25-pricing-costs.md): an override of 0 ends the
        -- override rather than claiming the listing costs nothing.
        round(max(amount_per_unit_gbp) filter (where cost_type = 'landed_cost_override' and amount_per_unit_gbp > 0), 4)
            as landed_cost_override_gbp
    from latest_per_type
    group by listing_id
)

select * from final
