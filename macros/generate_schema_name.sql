{#
    A custom schema is used as is (`staging`, `marts`, ...) instead of dbt's default
    `<target schema>_<custom schema>`: the warehouse file belongs to this project alone,
    and analysts and the publish step look for the plain names.
#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
