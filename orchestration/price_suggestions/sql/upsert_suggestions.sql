-- The day's suggestions (staged in suggestion_in): re-running the same day and model replaces them.
insert into pricing.price_suggestions
select * from suggestion_in
on conflict (listing_id, suggested_on, model_version) do update
set status = excluded.status, message = excluded.message, current_price = excluded.current_price,
    days_used = excluded.days_used, units_used = excluded.units_used, price_changes_used = excluded.price_changes_used,
    own_elasticity = excluded.own_elasticity, own_elasticity_se = excluded.own_elasticity_se,
    category_elasticity = excluded.category_elasticity, own_weight = excluded.own_weight,
    elasticity = excluded.elasticity, elasticity_p10 = excluded.elasticity_p10,
    elasticity_p90 = excluded.elasticity_p90, floor_price = excluded.floor_price,
    ceiling_price = excluded.ceiling_price, ceiling_source = excluded.ceiling_source,
    optimal_price = excluded.optimal_price, confidence_pct = excluded.confidence_pct,
    units_per_day_now = excluded.units_per_day_now, units_per_day_at_optimal = excluded.units_per_day_at_optimal,
    profit_per_day_now = excluded.profit_per_day_now, profit_per_day_at_optimal = excluded.profit_per_day_at_optimal,
    generated_at = excluded.generated_at
