-- The origin's forecasts (staged in forecast_in): re-running the same origin and model replaces them.
insert into inventory.forecasts as f (listing_id, forecast_date, target_date, model_version, units_p10, units_p50,
                                      units_p90, units_mean, generated_at)
select listing_id, %(origin)s, target_date, %(model)s, units_p10, units_p50, units_p90, units_mean, now()
from forecast_in
on conflict (listing_id, forecast_date, target_date, model_version) do update
set units_p10 = excluded.units_p10, units_p50 = excluded.units_p50, units_p90 = excluded.units_p90,
    units_mean = excluded.units_mean, generated_at = excluded.generated_at
