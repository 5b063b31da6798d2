-- One row per bill-of-materials line with its cost per unit of the listing, split into materials,
-- import duty and freight; a line with neither an override nor a supplier price is marked unpriced.
with bill_of_materials as (
    select * from {{ ref('stg_inventory__bill_of_materials') }}
),

selected_prices as (
    select * from {{ ref('int_component_prices_selected') }}
),

costed as (
    select
        bom.bom_line_id,
        bom.listing_id,
        bom.component_id,
        bom.quantity_per_unit,
        prices.component_price_id,
        case
            when bom.cost_override_gbp is not null then 'line_override'
            when prices.unit_cost_gbp is not null then 'supplier_price'
            else 'no_price'
        end as price_source,
        -- The seller's override is the line's all-in GBP cost: it replaces the supplier row, and with it
        -- that row's duty and freight.
        round(bom.quantity_per_unit * coalesce(bom.cost_override_gbp, prices.unit_cost_gbp), 4) as materials_gbp,
        round(case when bom.cost_override_gbp is null
            then bom.quantity_per_unit * prices.import_duty_per_unit_gbp else 0 end, 4) as import_duty_gbp,
        round(case when bom.cost_override_gbp is null
            then bom.quantity_per_unit * prices.freight_per_unit_gbp else 0 end, 4) as freight_gbp
    from bill_of_materials as bom
    left join selected_prices as prices
        on bom.component_id = prices.component_id
),

final as (
    select * from costed
)

select * from final
