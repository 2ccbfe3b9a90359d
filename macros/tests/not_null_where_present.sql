{#
    A column is filled wherever the column(s) it is derived from are: e.g. an amount in
    the reporting currency wherever the original amount is there, the team wherever
    the manager is. `present` is a column (or SQL expression) or a list of them; a row
    fails when `column_name` is null while every one of them is not null.
#}
{% test not_null_where_present(model, column_name, present) %}
    {%- set present_expressions = [present] if present is string else present -%}
    select *
    from {{ model }}
    where
        {{ column_name }} is null
        {%- for expression in present_expressions %}
            and ({{ expression }}) is not null
        {%- endfor %}
{% endtest %}
