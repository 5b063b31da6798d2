-- The origin's reorder suggestions (staged in reorder_in): re-running the same origin and model replaces them.
insert into inventory.reorder_suggestions
select * from reorder_in
on conflict (listing_id, forecast_date, model_version) do update
set fulfillable_qty = excluded.fulfillable_qty, inbound_qty = excluded.inbound_qty,
    lead_time_days = excluded.lead_time_days, lead_time_source = excluded.lead_time_source,
    lead_time_demand = excluded.lead_time_demand, lead_time_demand_p90 = excluded.lead_time_demand_p90,
    reorder_point = excluded.reorder_point, reorder_point_source = excluded.reorder_point_source,
    days_of_cover = excluded.days_of_cover, stockout_date = excluded.stockout_date,
    stockout_date_early = excluded.stockout_date_early, reorder_now = excluded.reorder_now,
    order_by_date = excluded.order_by_date, suggested_quantity = excluded.suggested_quantity,
    message = excluded.message, generated_at = excluded.generated_at
