-- Stock per listing over its locations, the seller's reorder settings, and the longest lead time among the
-- default suppliers of its bill of materials (a listing is ready when its slowest component arrives).
with stock as (
    select listing_id,
           sum(fulfillable_qty) as fulfillable,
           sum(inbound_working_qty + inbound_shipped_qty + inbound_receiving_qty) as inbound,
           max(reorder_point) as reorder_point,
           max(reorder_quantity) as reorder_quantity,
           max(safety_stock) as safety_stock
    from inventory.stock
    group by listing_id
),
lead_times as (
    select b.listing_id, max(s.lead_time_days) as lead_time_days
    from inventory.bill_of_materials b
    join inventory.components c on c.id = b.component_id
    join inventory.suppliers s on s.id = c.default_supplier_id
    where s.lead_time_days is not null
    group by b.listing_id
)
select stock.listing_id::text, stock.fulfillable, stock.inbound, stock.reorder_point, stock.reorder_quantity,
       stock.safety_stock, lead_times.lead_time_days
from stock
left join lead_times on lead_times.listing_id = stock.listing_id
