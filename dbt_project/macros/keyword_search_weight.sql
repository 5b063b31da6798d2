{#- Weight of a search term from its Brand Analytics search frequency rank (1 = most searched):
    1 / ln(rank + e). Rank 1 weighs 0.761, rank 1,000 0.145, rank 100,000 0.087: popular terms count more
    but no single term swamps a listing's other keywords. catalog.keywords.search_volume is mostly empty,
    so the rank is the one measure comparable across terms. -#}
{% macro keyword_search_weight(rank_expression) -%}
round(1 / ln(({{ rank_expression }})::numeric + exp(1::numeric)), 6)
{%- endmacro %}
