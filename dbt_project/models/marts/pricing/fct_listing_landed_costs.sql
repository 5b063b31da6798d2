-- Landed cost per listing today, with its parts; pricing.current_prices.landed_cost is copied from here.
with landed_costs as (
    select * from {{ ref('int_listing_landed_costs_summed') }}
),

final as (
    select
        listing_id,
        cost_basis,
        component_lines,
        components_without_price,
        materials_gbp,
        import_duty_gbp,
        freight_gbp,
        overhead_gbp,
        bom_cost_gbp,
        landed_cost_override_gbp,
        extra_costs_gbp,
        landed_cost_gbp,
        landed_cost_is_complete,
        current_date as costed_on
    from landed_costs
)

select * from final
