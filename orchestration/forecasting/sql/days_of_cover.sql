-- Days of cover onto inventory.stock, per location: its fulfillable units over the listing's expected units a
-- day (the forecast's first four weeks); NULL when no sales are expected. Rows already equal are left alone.
update inventory.stock s
set days_of_cover = c.days_of_cover
from (
    select s.id,
           case when r.rate > 0 then least(round(s.fulfillable_qty / r.rate, 1), 9999999.9) end as days_of_cover
    from inventory.stock s
    join cover_in r on r.listing_id = s.listing_id
) c
where c.id = s.id and s.days_of_cover is distinct from c.days_of_cover
