-- Image rules scored per listing on its CURRENT images: image history is not kept (catalog.listing_images
-- holds only the images live now), so every day of a listing's score uses today's images.
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
{%- set min_px = rules.main_image_min_px %}
{%- set main_missing_fix = "'Upload a main image of at least " ~ min_px ~ " px on a pure white background'" %}
with listings as (
    select * from {{ ref('stg_catalog__listings') }}
),

listing_images as (
    select * from {{ ref('stg_catalog__listing_images') }}
),

-- The gallery is the main image and pt01..pt08; swatches are not product images.
image_summary as (
    select
        listing_id,
        count(*) filter (where is_main_image or image_slot like 'pt%') as image_count,
        bool_or(is_main_image) as has_main_image,
        max(longest_side_px) filter (where is_main_image) as main_image_longest_side_px,
        max(background_type) filter (where is_main_image) as main_image_background
    from listing_images
    group by listing_id
),

measured as (
    select
        l.listing_id,
        coalesce(s.image_count, 0) as image_count,
        coalesce(s.has_main_image, false) as has_main_image,
        s.main_image_longest_side_px,
        s.main_image_background
    from listings l
    left join image_summary s on s.listing_id = l.listing_id
),

final as (
    select m.listing_id,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('images', 'image_count', m.image_count::numeric,
         round({{ points.image_count }}::numeric * least(m.image_count, {{ rules.images_recommended }})
               / {{ rules.images_recommended }}, 2),
         {{ points.image_count }}::numeric, true,
         case
             when m.image_count = 0 then 'no images'
             else format('%s image%s; {{ rules.images_recommended }} or more recommended',
                         m.image_count, case when m.image_count > 1 then 's' else '' end)
         end,
         case
             when m.image_count = 0 then {{ main_missing_fix }}
             when m.image_count < {{ rules.images_recommended }}
                 then format('Add %s more image%s (%s of {{ rules.images_recommended }} recommended)',
                             {{ rules.images_recommended }} - m.image_count,
                             case when m.image_count < {{ rules.images_recommended - 1 }} then 's' else '' end,
                             m.image_count)
         end),
        ('images', 'main_image_size', m.main_image_longest_side_px::numeric,
         case
             when not m.has_main_image then 0
             when m.main_image_longest_side_px is null then null
             when m.main_image_longest_side_px >= {{ min_px }} then {{ points.main_image_size }}
             else 0
         end::numeric,
         case when not m.has_main_image or m.main_image_longest_side_px is not null then {{ points.main_image_size }} end::numeric,
         not m.has_main_image or m.main_image_longest_side_px is not null,
         case
             when not m.has_main_image then 'no main image'
             when m.main_image_longest_side_px is null then 'not measured: main image size unknown'
             when m.main_image_longest_side_px >= {{ min_px }}
                 then format('main image %s px; zoom works from {{ min_px }} px', m.main_image_longest_side_px)
             else format('main image %s px; {{ min_px }} px enables zoom', m.main_image_longest_side_px)
         end,
         case
             when not m.has_main_image then {{ main_missing_fix }}
             when m.main_image_longest_side_px < {{ min_px }}
                 then format('Replace the main image with one of at least {{ min_px }} px (now %s px)',
                             m.main_image_longest_side_px)
         end),
        ('images', 'main_image_background', null::numeric,
         case
             when not m.has_main_image then 0
             when m.main_image_background is null then null
             when m.main_image_background = 'white' then {{ points.main_image_background }}
             else 0
         end::numeric,
         case when not m.has_main_image or m.main_image_background is not null then {{ points.main_image_background }} end::numeric,
         not m.has_main_image or m.main_image_background is not null,
         case
             when not m.has_main_image then 'no main image'
             when m.main_image_background is null then 'not measured: main image background not analysed yet'
             when m.main_image_background = 'white' then 'main image on a white background'
             else format('main image background is %s; Amazon requires pure white', m.main_image_background)
         end,
         case
             when not m.has_main_image then {{ main_missing_fix }}
             when m.main_image_background <> 'white' then 'Reshoot the main image on a pure white background'
         end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
