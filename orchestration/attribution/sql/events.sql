-- record_events: every change of a listing, from where it was seen, as analytics.attribution_events rows.
-- One statement per kind of change; re-running writes nothing new (upsert on listing, type, timestamp).

-- name: content_versions
-- A listing version that differs from the one before: one event per field group changed, with the diff.
-- A template applied by a rule is a version too (change_type 'auto'); a rollback is its own type.
with versions as (
    select v.id, v.listing_id, v.version_number, v.created_at, v.change_type as version_type, v.change_reason,
           v.title, v.bullet_points, v.description, v.search_terms,
           lag(v.title) over w as old_title, lag(v.bullet_points) over w as old_bullet_points,
           lag(v.description) over w as old_description, lag(v.search_terms) over w as old_search_terms,
           lag(v.version_number) over w as previous_version
    from catalog.listing_versions v
    window w as (partition by v.listing_id order by v.version_number)
),
fields as (
    select v.*, f.field, f.change_type, f.old, f.new
    from versions v
    cross join lateral (values
        ('title', 'title_update', to_jsonb(v.old_title), to_jsonb(v.title)),
        ('bullet_points', 'bullet_update', to_jsonb(v.old_bullet_points), to_jsonb(v.bullet_points)),
        ('description', 'description_update', to_jsonb(v.old_description), to_jsonb(v.description)),
        ('search_terms', 'search_terms_update', to_jsonb(v.old_search_terms), to_jsonb(v.search_terms))
    ) f(field, change_type, old, new)
    where v.previous_version is not null and f.old is distinct from f.new
)
insert into analytics.attribution_events as e (listing_id, change_type, change_id, change_timestamp, change_source,
                                               change_diff, analysis_notes)
-- Two versions stamped at the same instant (a bulk load) count once: the later version wins.
select distinct on (listing_id, kind, created_at) listing_id, kind, id, created_at, 'listing_version', diff, notes
from (
    select listing_id, version_number, created_at, id,
           case when version_type = 'rollback' then 'content_rollback' else change_type end as kind,
           jsonb_object_agg(field, jsonb_build_object('old', old, 'new', new)) as diff,
           case when version_type = 'auto' then 'applied by a rule: ' || coalesce(change_reason, '') end as notes
    from fields
    group by listing_id, version_number, created_at, id, version_type, change_type, change_reason
) per_version
order by listing_id, kind, created_at, version_number desc
on conflict (listing_id, change_type, change_timestamp) do update
set change_id = excluded.change_id, change_source = excluded.change_source, change_diff = excluded.change_diff
where (e.change_id, e.change_source, e.change_diff) is distinct from
      (excluded.change_id, excluded.change_source, excluded.change_diff)

-- name: prices
-- An observed price that differs from the one before it (the first price of a listing is no change). The
-- ledger row of a price the platform pushed (pricing.price_changes) is linked when one matches.
with observed as (
    select h.listing_id, h.time, h.price, lag(h.price) over (partition by h.listing_id order by h.time) as old_price
    from pricing.price_history h
    where h.source in ('sp_api', 'manual')
)
insert into analytics.attribution_events as e (listing_id, change_type, change_id, change_timestamp, change_source,
                                               change_diff)
select o.listing_id, 'price_change', pushed.id, o.time, 'price_history',
       jsonb_build_object('price', jsonb_build_object('old', o.old_price, 'new', o.price))
from observed o
left join lateral (
    select c.id from pricing.price_changes c
    where c.listing_id = o.listing_id and c.new_price = o.price and not c.dry_run
      and c.status in ('submitted', 'accepted')
      and c.created_at between o.time - interval '3 days' and o.time
    order by c.created_at desc limit 1
) pushed on true
where o.old_price is not null and o.old_price <> o.price
on conflict (listing_id, change_type, change_timestamp) do update
set change_id = excluded.change_id, change_diff = excluded.change_diff, change_source = excluded.change_source
where (e.change_id, e.change_diff) is distinct from (excluded.change_id, excluded.change_diff)

-- name: images_and_aplus
-- Image sets and A+ switches are not versioned; the sync's audit row holds their diff and time.
insert into analytics.attribution_events as e (listing_id, change_type, change_timestamp, change_source, change_diff)
select a.entity_id, k.change_type, a.created_at, 'audit_log', jsonb_object_agg(k.field, a.changes -> k.field)
from system.audit_log a
cross join lateral (
    select 'images' as field,
           case when jsonb_array_length(coalesce(a.changes #> '{images,new}', '[]')) >
                     jsonb_array_length(coalesce(a.changes #> '{images,old}', '[]')) then 'image_add'
                when jsonb_array_length(coalesce(a.changes #> '{images,new}', '[]')) <
                     jsonb_array_length(coalesce(a.changes #> '{images,old}', '[]')) then 'image_remove'
                else 'image_update' end as change_type
    where a.changes ? 'images' and jsonb_typeof(a.changes #> '{images,old}') = 'array'
      and jsonb_array_length(a.changes #> '{images,old}') > 0
    union all
    select f, 'aplus_update' from unnest(array['aplus_enabled', 'aplus_content_id']) f where a.changes ? f
) k
where a.entity_type = 'listing' and a.action = 'update' and a.entity_id is not null
  and exists (select 1 from catalog.listings l where l.id = a.entity_id)
group by a.entity_id, k.change_type, a.created_at
on conflict (listing_id, change_type, change_timestamp) do update
set change_diff = excluded.change_diff
where e.change_diff is distinct from excluded.change_diff

-- name: link_tasks
-- A finished task is the reason for the change recorded within two days after it was done.
update analytics.attribution_events e
set task_id = t.id
from workflow.tasks t
where t.listing_id = e.listing_id and t.completed_at is not null and e.task_id is null
  and e.change_timestamp between t.completed_at - interval '1 day' and t.completed_at + interval '2 days'

-- name: tasks
-- A finished task that no recorded change matches is a change of its own ('other').
insert into analytics.attribution_events as e (listing_id, change_type, change_timestamp, change_source, change_diff,
                                               task_id, analysis_notes)
select t.listing_id, 'other', t.completed_at, 'task',
       jsonb_build_object('task', jsonb_build_object('old', null, 'new', t.title)), t.id,
       'finished task: ' || t.title
from workflow.tasks t
where t.listing_id is not null and t.completed_at is not null
  and not exists (select 1 from analytics.attribution_events x where x.task_id = t.id)
on conflict (listing_id, change_type, change_timestamp) do nothing
