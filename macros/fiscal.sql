{#
    Fiscal periods start in the month given by var `fiscal_year_start_month` (1-12).
    A fiscal year is named after the calendar year it starts in: with a February start,
    fiscal year 2025 runs from 1 February 2025 to 31 January 2026. Shifting a date back
    by (start month - 1) months turns fiscal years and quarters into calendar ones.
#}
{% macro fiscal_month_offset() -%}
    {%- set start_month = var('fiscal_year_start_month') | int -%}
    {%- if start_month < 1 or start_month > 12 -%}
        {{ exceptions.raise_compiler_error(
            "var fiscal_year_start_month must be 1-12, got " ~ start_month) }}
    {%- endif -%}
    {{ return(start_month - 1) }}
{%- endmacro %}

{# The date shifted so that the fiscal year looks like a calendar year. #}
{% macro fiscal_shifted(date_expression) -%}
    {{ dbt.dateadd('month', -1 * fiscal_month_offset(), date_expression) }}
{%- endmacro %}

{# The fiscal year of a date, named after the calendar year it starts in. #}
{% macro fiscal_year(date_expression) -%}
    cast(extract(year from {{ fiscal_shifted(date_expression) }}) as integer)
{%- endmacro %}

{# The fiscal quarter (1-4) of a date: quarter 1 starts in the fiscal start month. #}
{% macro fiscal_quarter_of_year(date_expression) -%}
    cast(extract(quarter from {{ fiscal_shifted(date_expression) }}) as integer)
{%- endmacro %}

{# Months in a fiscal period: `quarter` or `year`. #}
{% macro fiscal_period_months(datepart) -%}
    {%- if datepart == 'quarter' -%}
        {{ return(3) }}
    {%- elif datepart == 'year' -%}
        {{ return(12) }}
    {%- else -%}
        {{ exceptions.raise_compiler_error(
            "fiscal periods are `quarter` or `year`, got " ~ datepart) }}
    {%- endif -%}
{%- endmacro %}

{# First day (a DATE) of the fiscal quarter or year (`datepart`, nothing else) a date falls in. #}
{% macro fiscal_period_start(datepart, date_expression) -%}
    {%- do fiscal_period_months(datepart) -%}
    cast({{ dbt.dateadd(
        'month',
        fiscal_month_offset(),
        dbt.date_trunc(datepart, fiscal_shifted(date_expression))
    ) }} as date)
{%- endmacro %}

{#
    Last day (a DATE) of the fiscal quarter or year a date falls in: the day before the
    next period starts. Counting from the period's first day, not shifting a month end,
    keeps 31-day month ends right (a quarter ending in July ends on the 31st).
#}
{% macro fiscal_period_end(datepart, date_expression) -%}
    cast({{ dbt.dateadd(
        'day',
        -1,
        dbt.dateadd(
            'month',
            fiscal_period_months(datepart) + fiscal_month_offset(),
            dbt.date_trunc(datepart, fiscal_shifted(date_expression))
        )
    ) }} as date)
{%- endmacro %}
