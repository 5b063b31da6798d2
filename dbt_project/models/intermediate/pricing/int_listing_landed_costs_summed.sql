-- Landed cost per listing: the bill of materials (materials + duty + freight + overhead) or the seller's
-- override, plus the extra per-unit costs. A cost that misses a component's price is left empty, not low.
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

bom_lines as (
    select * from {{ ref('int_bom_lines_costed') }}
),

extra_costs as (
    select * from {{ ref('int_listing_extra_costs_summed') }}
),

settings as (
    select * from {{ ref('int_settings_current') }}
),

bom_totals as (
    select
        listing_id,
        count(*) as component_lines,
        count(*) filter (where price_source = 'no_price') as components_without_price,
        sum(materials_gbp) as materials_gbp,
        sum(import_duty_gbp) as import_duty_gbp,
        sum(freight_gbp) as freight_gbp
    from bom_lines
    group by listing_id
),

with_overhead as (
    select
        listings.listing_id,
        coalesce(bom_totals.component_lines, 0) as component_lines,
        coalesce(bom_totals.components_without_price, 0) as components_without_price,
        round(coalesce(bom_totals.materials_gbp, 0), 4) as materials_gbp,
        round(coalesce(bom_totals.import_duty_gbp, 0), 4) as import_duty_gbp,
        round(coalesce(bom_totals.freight_gbp, 0), 4) as freight_gbp,
        round(settings.overhead_rate
            * coalesce(bom_totals.materials_gbp + bom_totals.import_duty_gbp + bom_totals.freight_gbp, 0), 4)
            as overhead_gbp,
        round(coalesce(extra_costs.extra_costs_gbp, 0), 4) as extra_costs_gbp,
        round(extra_costs.landed_cost_override_gbp, 4) as landed_cost_override_gbp
    from listings
    cross join settings
    left join bom_totals on listings.listing_id = bom_totals.listing_id
    left join extra_costs on listings.listing_id = extra_costs.listing_id
),

based as (
    select
        *,
        round(materials_gbp + import_duty_gbp + freight_gbp + overhead_gbp, 4) as bom_cost_gbp,
        case
            when landed_cost_override_gbp is not null then 'override'
            when component_lines > 0 then 'bom'
            else 'no_bom'
        end as cost_basis
    from with_overhead
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
        cost_basis = 'override' or (cost_basis = 'bom' and components_without_price = 0)
            as landed_cost_is_complete,
        case
            when cost_basis = 'override' then round(landed_cost_override_gbp + extra_costs_gbp, 4)
            when cost_basis = 'bom' and components_without_price = 0 then round(bom_cost_gbp + extra_costs_gbp, 4)
        end as landed_cost_gbp
    from based
)

select * from final
