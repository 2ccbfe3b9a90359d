{#
    Money is DECIMAL(18,2) everywhere (the marts contract). A converted amount is
    rounded half away from zero to the kopeck once, at the row, so that sums of
    converted amounts match a ledger that converts payment by payment.

    DuckDB keeps the product of two DECIMAL(18, s) values at width 18, so 100 million
    roubles times a rate with 8 decimals would overflow: products are computed wide.
#}
{% macro wide_decimal(expression) -%}
    cast({{ expression }} as decimal(38, 10))
{%- endmacro %}

{% macro money(expression) -%}
    cast({{ expression }} as decimal(18, 2))
{%- endmacro %}

{% macro to_reporting_currency(amount, rate) -%}
    cast(round({{ wide_decimal(amount) }} * {{ rate }}, 2) as decimal(18, 2))
{%- endmacro %}
