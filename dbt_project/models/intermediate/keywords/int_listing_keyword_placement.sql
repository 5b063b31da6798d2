-- Where each tracked keyword of a listing appears in each content version (title, bullets, description,
-- backend search terms; exact, phrase or broad) and the placement credit it earns.
{%- set rules = listing_scoring_rules() %}
{%- set fields = rules.keyword_field_credit %}
with keywords as (
    select * from {{ ref('stg_catalog__keywords') }}
),

search_weights as (
    select * from {{ ref('int_keyword_search_weights') }}
),

content_versions as (
    select * from {{ ref('int_listing_content_versions') }}
),

-- MATERIALIZED here and below: each normalized text and match type is computed once, not re-evaluated at
-- every place the later expressions mention it (PostgreSQL inlines a CTE's expressions otherwise).
-- A term missing from Brand Analytics is taken as rarely searched: the weight of rank {{ rules.keyword_unranked_rank }}.
tracked_keywords as materialized (
    select
        k.keyword_id,
        k.listing_id,
        k.keyword_normalized as keyword,
        {{ normalize_for_matching('k.keyword_normalized') }} as matching_keyword,
        w.search_frequency_rank,
        {{ keyword_search_weight('coalesce(w.search_frequency_rank, ' ~ rules.keyword_unranked_rank ~ ')') }}
            as keyword_weight
    from keywords k
    left join search_weights w on w.matching_text = {{ normalize_for_matching('k.keyword_normalized') }}
    where k.is_tracked
),

normalized_content as materialized (
    select
        listing_id,
        content_version_number,
        {{ normalize_for_matching('title') }} as title_text,
        {{ normalize_list_for_matching('bullet_points') }} as bullets_text,
        {{ normalize_for_matching('description') }} as description_text,
        {{ normalize_for_matching("array_to_string(search_terms, ' ')") }} as search_terms_text
    from content_versions
),

matched as materialized (
    select
        k.listing_id,
        c.content_version_number,
        k.keyword_id,
        k.keyword,
        k.search_frequency_rank,
        k.keyword_weight,
        {%- for field in fields %}
        {{ keyword_match_type('k.matching_keyword', 'c.' ~ field ~ '_text') }} as {{ field }}_match{{ ',' if not loop.last }}
        {%- endfor %}
    from tracked_keywords k
    join normalized_content c on c.listing_id = k.listing_id
),

-- Credit = field credit x match credit ({{ fields }} x {{ rules.keyword_match_credit }}); the best field counts.
field_credits as (
    select
        *,
        {%- for field, field_credit in fields.items() %}
        case {{ field }}_match
            {%- for match, match_credit in rules.keyword_match_credit.items() %}
            when '{{ match }}' then {{ field_credit }} * {{ match_credit }}
            {%- endfor %}
            else 0
        end as {{ field }}_credit{{ ',' if not loop.last }}
        {%- endfor %}
    from matched
),

credited as (
    select
        *,
        greatest({% for field in fields %}{{ field }}_credit{{ ', ' if not loop.last }}{% endfor %}) as placement_credit
    from field_credits
),

final as (
    select
        listing_id,
        content_version_number,
        keyword_id,
        keyword,
        search_frequency_rank,
        keyword_weight,
        {%- for field in fields %}
        {{ field }}_match,
        {%- endfor %}
        placement_credit,
        case
            when placement_credit = 0 then 'not in the listing'
            {%- for field in fields %}
            when {{ field }}_credit = placement_credit then {{ field }}_match || ' match in the {{ field | replace("_", " ") }}'
            {%- endfor %}
        end as best_placement,
        -- Worth fixing: shoppers search it at least as often as the listing's average tracked keyword, and
        -- it is in neither the title nor the bullets (the fields Amazon's ranking weighs most).
        title_match is null and bullets_match is null
            and keyword_weight >= avg(keyword_weight) over (partition by listing_id, content_version_number)
            as is_gap_worth_fixing
    from credited
)

select * from final
