{#- The words of a normalized text with one trailing 's' dropped (not from 'ss': glass stays glass), so a
    broad match finds 'screw' in 'screws'. Applied to both sides of a comparison, so odd stems cancel out. -#}
{% macro singular_words(normalized_expression) -%}
array(select regexp_replace(word, '([^s])s$', '\1')
      from unnest(string_to_array({{ normalized_expression }}, ' ')) as word)
{%- endmacro %}
