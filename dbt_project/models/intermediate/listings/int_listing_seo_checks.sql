-- Search rules scored for each listing content version: keyword placement (weighted by search frequency),
-- backend search term bytes (Amazon ignores them all past 249 bytes) and backend words wasted on the title.
{%- set rules = listing_scoring_rules() %}
{%- set points = rules.points %}
{%- set max_bytes = rules.search_terms_max_bytes %}
{%- set terms_missing_fix = "'Add backend search terms (up to " ~ max_bytes ~ " bytes)'" %}
with content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

keyword_coverage as (
    select * from {{ ref('int_listing_keyword_coverage') }}
),

measured as (
    select
        v.listing_id,
        v.content_version_number,
        terms.search_terms_text,
        -- Bytes, not characters: '£' and 'é' are 2 bytes each in UTF-8.
        octet_length(terms.search_terms_text) as search_terms_bytes,
        overlap.backend_word_count,
        overlap.repeated_word_count,
        overlap.repeated_words,
        kc.tracked_keyword_count,
        kc.covered_keyword_weight,
        kc.total_keyword_weight,
        kc.coverage_share_pct,
        kc.gap_keywords,
        kc.top_missed_keyword,
        kc.top_missed_keyword_placement
    from content_versions v
    cross join lateral (
        select nullif(array_to_string(
            array(select btrim(term) from unnest(v.search_terms) as term where btrim(term) <> ''), ' '), '')
            as search_terms_text
    ) terms
    cross join lateral (select {{ singular_words(normalize_for_matching('v.title')) }} as title_stems) title
    cross join lateral (
        select count(*) as backend_word_count,
               count(*) filter (where is_in_title) as repeated_word_count,
               string_agg(format('''%s''', word), ', ' order by word) filter (where is_in_title) as repeated_words
        from (
            select distinct word,
                   {{ singular_words('word') }} <@ title.title_stems as is_in_title
            from unnest(string_to_array({{ normalize_for_matching('terms.search_terms_text') }}, ' ')) as word
        ) backend_words
    ) overlap
    left join keyword_coverage kc
        on kc.listing_id = v.listing_id and kc.content_version_number = v.content_version_number
),

final as (
    select m.listing_id, m.content_version_number,
        {{ score_metric_columns('checks') }}
    from measured m
    cross join lateral (values
        ('seo', 'keyword_placement', m.coverage_share_pct,
         round({{ points.keyword_placement }} * m.covered_keyword_weight / m.total_keyword_weight, 2),
         case when m.tracked_keyword_count > 0 then {{ points.keyword_placement }} end::numeric,
         coalesce(m.tracked_keyword_count > 0, false),
         case
             when m.tracked_keyword_count is null
                 then 'not measured: no tracked keywords for this listing; add the searches shoppers use'
             else format('keyword coverage %s%% of search weight (%s tracked keywords); %s',
                         to_char(m.coverage_share_pct, 'FM990.0'), m.tracked_keyword_count,
                         coalesce(m.gap_keywords || ' not in title or bullets',
                                  'no frequently searched keyword missing from title and bullets'))
         end,
         case
             when m.top_missed_keyword is not null
                 then format('Put ''%s'' in the title word for word (now: %s)',
                             m.top_missed_keyword, m.top_missed_keyword_placement)
         end),
        ('seo', 'search_terms_bytes', m.search_terms_bytes::numeric,
         case when m.search_terms_bytes <= {{ max_bytes }} then {{ points.search_terms_bytes }} else 0 end::numeric,
         {{ points.search_terms_bytes }}::numeric, true,
         case
             when m.search_terms_text is null then 'backend search terms missing'
             else format('backend search terms %s bytes; limit {{ max_bytes }}', m.search_terms_bytes)
         end,
         case
             when m.search_terms_text is null then {{ terms_missing_fix }}
             when m.search_terms_bytes > {{ max_bytes }}
                 then format('Cut %s bytes from the backend search terms (%s of {{ max_bytes }}; over the limit none count)',
                             m.search_terms_bytes - {{ max_bytes }}, m.search_terms_bytes)
         end),
        ('seo', 'search_terms_title_overlap', m.repeated_word_count::numeric,
         coalesce(round({{ points.search_terms_title_overlap }}::numeric
                        * (m.backend_word_count - m.repeated_word_count) / nullif(m.backend_word_count, 0), 2), 0),
         {{ points.search_terms_title_overlap }}::numeric, true,
         case
             when m.search_terms_text is null then 'backend search terms missing'
             when m.repeated_word_count = 0 then 'no backend search word repeats the title'
             else format('%s of %s backend search words repeat the title (%s)',
                         m.repeated_word_count, m.backend_word_count, m.repeated_words)
         end,
         case
             when m.search_terms_text is null then {{ terms_missing_fix }}
             when m.repeated_word_count > 0
                 then format('Replace %s in the backend search terms with new words: the title is already indexed',
                             m.repeated_words)
         end)
    ) as checks (component, metric, metric_value, points_earned, points_possible, is_measured, reason, fix)
)

select * from final
