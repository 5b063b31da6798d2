{#- Amazon's own seller id on amazon.co.uk (Amazon selling itself); orchestration/keepa/parsing.py knows the same id.
    Tested through int_competitor_sellers_listed's unit test (an Amazon offer adds this seller). -#}
{% macro amazon_uk_seller_id() -%}
    A3P5ROKL5A1OLE
{%- endmacro %}
