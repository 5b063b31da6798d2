{#- Text reduced to lower-case words separated by single spaces (apostrophes dropped, every other
    non-letter/digit a space), so "Screws, 4x40mm!" and "screws 4x40mm" compare equal; NULL when nothing
    is left. Keywords and listing content go through the same macro before any match. -#}
{% macro normalize_for_matching(text_expression) -%}
nullif(btrim(regexp_replace(replace(replace(lower({{ text_expression }}), '''', ''), '’', ''), '[^[:alnum:]]+', ' ', 'g')), '')
{%- endmacro %}
