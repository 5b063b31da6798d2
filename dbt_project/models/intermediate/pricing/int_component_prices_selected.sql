-- One supplier price per component, in GBP per unit: the rule of
-- docs/decisions/2026-11-25-landed-cost-view-removed.md (the seed summed every price and double-counted).
with components as (
    select * from {{ ref('stg_inventory__components') }}
),

component_prices as (
    select * from {{ ref('stg_inventory__component_prices') }}
),

-- Only the default supplier's prices, valid today and not retired by the seller, at a quantity break
-- the usual order reaches (a component with no usual order quantity is bought one at a time).
applicable_prices as (
    select
        prices.*,
        coalesce(components.usual_order_quantity, 1) as order_quantity
    from component_prices as prices
    inner join components
        on prices.component_id = components.component_id
        and prices.supplier_id = components.default_supplier_id
    where prices.is_current
        and prices.valid_from <= current_date
        and (prices.valid_to is null or prices.valid_to >= current_date)
        and prices.min_quantity <= coalesce(components.usual_order_quantity, 1)
),

-- The largest break wins, then the newest price of that break.
selected as (
    select distinct on (component_id) *
    from applicable_prices
    order by component_id, min_quantity desc, valid_from desc
),

final as (
    select
        component_id,
        component_price_id,
        supplier_id,
        currency,
        fx_rate_to_gbp,
        min_quantity,
        order_quantity,
        valid_from,
        -- 6 decimals per component unit: a screw's fraction of a penny survives a quantity of 1000.
        round(unit_cost * fx_rate_to_gbp, 6) as unit_cost_gbp,
        round(unit_cost * import_duty_pct / 100 * fx_rate_to_gbp, 6) as import_duty_per_unit_gbp,
        round(freight_per_consignment / units_per_consignment * fx_rate_to_gbp, 6) as freight_per_unit_gbp
    from selected
)

select * from final
