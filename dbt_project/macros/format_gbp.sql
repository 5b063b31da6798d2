{#- A GBP amount as a seller reads it in a reason text: £12.49. -#}
{% macro format_gbp(amount_expression) -%}
('£' || to_char({{ amount_expression }}, 'FM999999990.00'))
{%- endmacro %}
