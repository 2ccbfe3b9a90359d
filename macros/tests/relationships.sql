{#
    dbt's `relationships` test, except that a parent with no rows at all passes: its
    contract table was not loaded (a CRM export without clients or leads, see
    docs/bring-your-own-crm.md), so there is nothing to check the references against
    and the KPIs that need it are NULL. A parent with any row is checked as usual, so a
    warehouse with every table loaded tests exactly what dbt's own test does.
    Root-project macros win dbt's dispatch, so every `relationships` test uses this one.
#}
{% macro default__test_relationships(model, column_name, to, field) %}

with child as (
    select {{ column_name }} as from_field
    from {{ model }}
    where {{ column_name }} is not null
),

parent as (
    select {{ field }} as to_field
    from {{ to }}
)

select child.from_field
from child
left join parent
    on child.from_field = parent.to_field
where
    parent.to_field is null
    and exists (select 1 from parent)

{% endmacro %}
