-- The threat score's time windows in one row, anchored on the latest Keepa sync (not the clock), so a rebuild
-- over the same data gives the same scores.
with products as (
    select * from {{ ref('stg_competitors__products') }}
),

settings as (
    select * from {{ ref('int_settings_current') }}
),

anchor as (
    select coalesce(max(last_synced_at), now()) as window_end_at
    from products
),

final as (
    select
        settings.threat_window_days as window_days,
        anchor.window_end_at,
        anchor.window_end_at - make_interval(days => settings.threat_window_days) as recent_start_at,
        anchor.window_end_at - make_interval(days => 2 * settings.threat_window_days) as prior_start_at
    from anchor
    cross join settings
)

select * from final
