{#
    Every non-null value of the column lies between `min_value` and `max_value`, both
    included. A bound is SQL: a number, a literal such as "cast('2023-01-01' as date)",
    or another column of the same row. Leave one out for an open range; NULLs pass
    (not_null tests them).
#}
{% test value_between(model, column_name, min_value=none, max_value=none) %}
    {%- if min_value is none and max_value is none -%}
        {{ exceptions.raise_compiler_error(
            "value_between needs min_value, max_value or both, model " ~ model) }}
    {%- endif %}
    select {{ column_name }}
    from {{ model }}
    where
        {{ column_name }} is not null
        and (
            {%- if min_value is not none %}
            {{ column_name }} < {{ min_value }}
            {%- endif %}
            {%- if min_value is not none and max_value is not none %}
            or
            {%- endif %}
            {%- if max_value is not none %}
            {{ column_name }} > {{ max_value }}
            {%- endif %}
        )
{% endtest %}
