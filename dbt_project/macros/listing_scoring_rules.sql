{#- Every listing scoring rule in one place, named by a version. Change a threshold or a points value here
    and bump `version`: fct_listing_scores keeps the rows scored under the old version, and only a
    deliberate full refresh re-scores history (see the model's description). Amazon's own limits
    (200 characters, 249 bytes, forbidden characters) are facts, not seller settings, so they live here
    beside the points rather than in system.settings; the component weights are the seller's
    (system.settings scoring.weights). -#}
{% macro listing_scoring_rules() %}
{{ return({
    'version': '2026-11-25.1',
    'components': ['seo', 'content', 'images', 'competitive', 'compliance'],
    'points': {
        'title_length': 20, 'title_forbidden_characters': 10, 'title_word_repetition': 10,
        'bullet_count': 15, 'bullet_length': 10, 'description_length': 20, 'aplus_content': 15,
        'keyword_placement': 60, 'search_terms_bytes': 25, 'search_terms_title_overlap': 15,
        'image_count': 40, 'main_image_size': 35, 'main_image_background': 25,
        'buy_box_share': 30, 'price_vs_buy_box': 20, 'price_vs_rivals': 20, 'rating': 15, 'review_count': 15,
        'listing_status': 50, 'listing_issues': 50,
    },
    'title_max_characters': 200,
    'title_forbidden_characters': '!$?_{}^¬¦',
    'title_max_word_repeats': 2,
    'title_repeat_exempt_words': ['a', 'an', 'the', 'and', 'or', 'nor', 'but', 'so', 'yet', 'as', 'about',
        'at', 'between', 'by', 'for', 'from', 'in', 'inside', 'into', 'of', 'off', 'on', 'onto', 'out',
        'outside', 'over', 'per', 'through', 'to', 'under', 'up', 'via', 'with', 'within', 'without', 'x'],
    'bullets_recommended': 5,
    'bullets_over_limit_points': 10,
    'bullet_min_characters': 100,
    'bullet_max_characters': 250,
    'description_good_characters': 300,
    'description_short_characters': 150,
    'description_short_points': 5,
    'description_medium_points': 12,
    'description_max_characters': 2000,
    'description_too_long_points': 10,
    'search_terms_max_bytes': 249,
    'images_recommended': 7,
    'main_image_min_px': 1000,
    'keyword_field_credit': {'title': 1.0, 'bullets': 0.7, 'description': 0.5, 'search_terms': 0.4},
    'keyword_match_credit': {'exact': 1.0, 'phrase': 0.8, 'broad': 0.6},
    'keyword_unranked_rank': 1000000,
    'price_vs_buy_box_tolerance_pct': 5,
    'price_vs_rivals_tolerance_pct': 10,
    'rating_bands': [[4.5, 15], [4.0, 10], [3.5, 5]],
    'review_count_bands': [[100, 15], [20, 10], [5, 5]],
    'issue_warning_penalty': 10,
    'issue_warning_floor_points': 20,
}) }}
{% endmacro %}
