-- How many loaded rows of each contract table have a value in each column. An optional
-- column that no row fills is one the source does not have (a CRM export without loss
-- reasons, say), and the KPIs that need it (`table.column` in the catalogue's
-- `requires`) are NULL. DuckDB's COLUMNS(*) counts every column in one pass per table.
{%- set contract_tables = {
    'crm': [
        'teams', 'managers', 'clients', 'leads', 'deals', 'deal_stage_changes',
        'activities', 'proposals', 'tasks', 'surveys',
    ],
    'finance': [
        'contracts', 'invoices', 'invoice_lines', 'payments', 'products', 'fx_rates',
        'sales_plans', 'sales_expenses',
    ],
} %}
{% for source_name, tables in contract_tables.items() %}
    {%- for table_name in tables %}
        select
            '{{ source_name }}/{{ table_name }}' as contract_table,
            filled.column_name,
            filled.filled_rows
        from (
            unpivot (select count(columns(*)) from {{ source(source_name, table_name) }})
            on columns(*)
            into name column_name value filled_rows
        ) as filled
        {% if not loop.last %}union all{% endif %}
    {%- endfor %}
    {% if not loop.last %}union all{% endif %}
{% endfor %}
