{#- A text[] (bullets) normalized element by element and joined with ' | ': the bar is never a word, so
    an exact or phrase match cannot run from one bullet into the next. NULL when no element has words. -#}
{% macro normalize_list_for_matching(array_expression) -%}
nullif(array_to_string(array(select {{ normalize_for_matching('element') }}
                             from unnest({{ array_expression }}) as element), ' | '), '')
{%- endmacro %}
