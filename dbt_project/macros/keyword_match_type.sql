{#- How a normalized keyword appears in a normalized field: 'exact' (the words together, in order),
    'phrase' (in order with other words between, within one bullet), 'broad' (every word somewhere, any
    order, plural-insensitive) or NULL (missing). Normalized text holds only letters, digits, spaces and
    the bullet separator '|', so it is safe inside LIKE patterns (no regular expressions: a pattern per
    keyword would evict the compiled normalizing expressions from PostgreSQL's small regex cache). -#}
{% macro keyword_match_type(keyword_expression, field_expression) -%}
case
    when {{ keyword_expression }} is null or {{ field_expression }} is null then null
    when ' ' || {{ field_expression }} || ' ' like '% ' || {{ keyword_expression }} || ' %' then 'exact'
    when exists (
        select 1 from unnest(string_to_array({{ field_expression }}, ' | ')) as segment
        where ' ' || segment || ' ' like '% ' || replace({{ keyword_expression }}, ' ', ' % ') || ' %'
    ) then 'phrase'
    when {{ singular_words(keyword_expression) }} <@ {{ singular_words(field_expression) }} then 'broad'
end
{%- endmacro %}
