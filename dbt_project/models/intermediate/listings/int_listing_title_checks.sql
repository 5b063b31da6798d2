-- Title rules (DESIGN.md section 6) scored for each listing content version: length, forbidden characters,
-- word repetition. One row per version and metric; a missing title fails all three as "title missing".
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
{%- set missing_fix = "'Write a title of up to " ~ rules.title_max_characters ~ " characters'" %}
with content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

measured as (
    select
        v.listing_id,
        v.content_version_number,
        title.title,
        char_length(title.title) as title_characters,
        forbidden.characters_found,
        forbidden.forbidden_count,
        repeated.words_over_limit,
        repeated.repeated_words,
        repeated.highest_repeat_count
    from content_versions v
    cross join lateral (select nullif(btrim(v.title), '') as title) title
    cross join lateral (
        select string_agg(distinct letter, ' ' order by letter) as characters_found,
               count(distinct letter) as forbidden_count
        from regexp_split_to_table(title.title, '') as letter
        where strpos('{{ rules.title_forbidden_characters }}', letter) > 0
    ) forbidden
    -- Articles, prepositions and conjunctions may repeat (Amazon's rule); so may bare numbers (sizes).
    cross join lateral (
        select string_agg(format('''%s'' appears %s times', word, times), ', ' order by times desc, word)
                   filter (where times > {{ rules.title_max_word_repeats }}) as words_over_limit,
               string_agg(format('''%s''', word), ', ' order by times desc, word)
                   filter (where times > {{ rules.title_max_word_repeats }}) as repeated_words,
               max(times) as highest_repeat_count
        from (
            select word, count(*) as times
            from unnest(string_to_array({{ normalize_for_matching('title.title') }}, ' ')) as word
            where word <> all (array['{{ rules.title_repeat_exempt_words | join("', '") }}'])
              and word !~ '^[0-9]+$'
            group by word
        ) counted
    ) repeated
),

final as (
    select m.listing_id, m.content_version_number,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('content', 'title_length', m.title_characters::numeric,
         case when m.title_characters <= {{ rules.title_max_characters }} then {{ points.title_length }} else 0 end::numeric,
         {{ points.title_length }}::numeric, true,
         case
             when m.title is null then 'title missing'
             else format('title has %s characters; limit {{ rules.title_max_characters }}', m.title_characters)
         end,
         case
             when m.title is null then {{ missing_fix }}
             when m.title_characters > {{ rules.title_max_characters }}
                 then format('Shorten the title by %s characters (%s of {{ rules.title_max_characters }})',
                             m.title_characters - {{ rules.title_max_characters }}, m.title_characters)
         end),
        ('content', 'title_forbidden_characters', m.forbidden_count::numeric,
         case when m.title is not null and m.forbidden_count = 0 then {{ points.title_forbidden_characters }} else 0 end::numeric,
         {{ points.title_forbidden_characters }}::numeric, true,
         case
             when m.title is null then 'title missing'
             when m.forbidden_count > 0
                 then format('title contains %s; Amazon forbids {{ rules.title_forbidden_characters | list | join(" ") }}',
                             m.characters_found)
             else 'no forbidden characters in title'
         end,
         case
             when m.title is null then {{ missing_fix }}
             when m.forbidden_count > 0 then format('Remove %s from the title', m.characters_found)
         end),
        ('content', 'title_word_repetition', m.highest_repeat_count::numeric,
         case when m.title is not null and m.words_over_limit is null then {{ points.title_word_repetition }} else 0 end::numeric,
         {{ points.title_word_repetition }}::numeric, true,
         case
             when m.title is null then 'title missing'
             when m.words_over_limit is not null
                 then m.words_over_limit || ' in title; at most twice (articles and prepositions exempt)'
             else 'no word more than twice in title'
         end,
         case
             when m.title is null then {{ missing_fix }}
             when m.words_over_limit is not null then format('Use %s at most twice in the title', m.repeated_words)
         end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
