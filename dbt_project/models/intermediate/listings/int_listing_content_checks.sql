-- Bullet point, description and A+ rules scored for each listing content version. One row per version and
-- metric; missing bullets or description are "missing", never zero-length text.
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
{%- set band = rules.bullet_min_characters ~ '-' ~ rules.bullet_max_characters %}
{%- set bullets_missing_fix = "'Write " ~ rules.bullets_recommended ~ " bullet points of " ~ band ~ " characters'" %}
with content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

measured as (
    select
        v.listing_id,
        v.content_version_number,
        l.brand,
        l.aplus_enabled,
        cardinality(bullets.bullets) as bullet_count,
        shown.bullets_shown,
        shown.bullets_in_band,
        shown.shortest_bullet,
        shown.longest_bullet,
        char_length(nullif(btrim(v.description), '')) as description_characters
    from content_versions v
    join listings l on l.listing_id = v.listing_id
    cross join lateral (
        select array(select btrim(b) from unnest(v.bullet_points) as b where btrim(b) <> '') as bullets
    ) bullets
    -- Only the first bullets_recommended bullets show on the page, so only they are judged on length.
    cross join lateral (
        select count(*) as bullets_shown,
               count(*) filter (where char_length(b) between {{ rules.bullet_min_characters }}
                                                         and {{ rules.bullet_max_characters }}) as bullets_in_band,
               min(char_length(b)) as shortest_bullet,
               max(char_length(b)) as longest_bullet
        from unnest(bullets.bullets[1:{{ rules.bullets_recommended }}]) as b
    ) shown
),

final as (
    select m.listing_id, m.content_version_number,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('content', 'bullet_count', m.bullet_count::numeric,
         case
             when m.bullet_count > {{ rules.bullets_recommended }} then {{ rules.bullets_over_limit_points }}
             else round({{ points.bullet_count }}::numeric * m.bullet_count / {{ rules.bullets_recommended }}, 2)
         end::numeric,
         {{ points.bullet_count }}::numeric, true,
         case
             when m.bullet_count = 0 then 'bullet points missing'
             when m.bullet_count > {{ rules.bullets_recommended }}
                 then format('%s bullet points; Amazon shows {{ rules.bullets_recommended }}', m.bullet_count)
             else format('%s bullet points; {{ rules.bullets_recommended }} recommended', m.bullet_count)
         end,
         case
             when m.bullet_count = 0 then {{ bullets_missing_fix }}
             when m.bullet_count > {{ rules.bullets_recommended }}
                 then format('Merge the %s bullet points into {{ rules.bullets_recommended }}', m.bullet_count)
             when m.bullet_count < {{ rules.bullets_recommended }}
                 then format('Add %s more bullet point%s (%s of {{ rules.bullets_recommended }})',
                             {{ rules.bullets_recommended }} - m.bullet_count,
                             case when m.bullet_count < {{ rules.bullets_recommended - 1 }} then 's' else '' end,
                             m.bullet_count)
         end),
        ('content', 'bullet_length', m.bullets_in_band::numeric,
         coalesce(round({{ points.bullet_length }}::numeric * m.bullets_in_band / nullif(m.bullets_shown, 0), 2), 0),
         {{ points.bullet_length }}::numeric, true,
         case
             when m.bullet_count = 0 then 'bullet points missing'
             when m.bullets_in_band = m.bullets_shown
                 then format('%s of %s bullet points have {{ band }} characters', m.bullets_in_band, m.bullets_shown)
             else format('%s of %s bullet points have {{ band }} characters (shortest %s, longest %s)',
                         m.bullets_in_band, m.bullets_shown, m.shortest_bullet, m.longest_bullet)
         end,
         case
             when m.bullet_count = 0 then {{ bullets_missing_fix }}
             when m.bullets_in_band < m.bullets_shown
                 then format('Rewrite %s bullet point%s to {{ band }} characters', m.bullets_shown - m.bullets_in_band,
                             case when m.bullets_shown - m.bullets_in_band > 1 then 's' else '' end)
         end),
        ('content', 'description_length', m.description_characters::numeric,
         case
             when m.description_characters is null then 0
             when m.description_characters > {{ rules.description_max_characters }} then {{ rules.description_too_long_points }}
             when m.description_characters < {{ rules.description_short_characters }} then {{ rules.description_short_points }}
             when m.description_characters < {{ rules.description_good_characters }} then {{ rules.description_medium_points }}
             else {{ points.description_length }}
         end::numeric,
         {{ points.description_length }}::numeric, true,
         case
             when m.description_characters is null then 'description missing'
             when m.description_characters > {{ rules.description_max_characters }}
                 then format('description has %s characters; limit {{ rules.description_max_characters }}', m.description_characters)
             when m.description_characters < {{ rules.description_good_characters }}
                 then format('description has %s characters; {{ rules.description_good_characters }} or more recommended',
                             m.description_characters)
             else format('description has %s characters', m.description_characters)
         end,
         case
             when m.description_characters is null
                 then 'Write a description of at least {{ rules.description_good_characters }} characters'
             when m.description_characters > {{ rules.description_max_characters }}
                 then 'Shorten the description to {{ rules.description_max_characters }} characters'
             when m.description_characters < {{ rules.description_good_characters }}
                 then format('Lengthen the description to {{ rules.description_good_characters }} characters (%s more)',
                             {{ rules.description_good_characters }} - m.description_characters)
         end),
        -- A+ needs Brand Registry: a listing without a brand is not judged on it.
        ('content', 'aplus_content', null::numeric,
         case when m.brand is null then null when m.aplus_enabled then {{ points.aplus_content }} else 0 end::numeric,
         case when m.brand is not null then {{ points.aplus_content }} end::numeric, m.brand is not null,
         case
             when m.brand is null then 'not measured: no brand on the listing, and A+ content needs Brand Registry'
             when m.aplus_enabled then 'A+ content published'
             else 'no A+ content; brand owners can add A+ below the bullets'
         end,
         case when m.brand is not null and not m.aplus_enabled then format('Publish A+ content for %s', m.brand) end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
