{#
    One row per day from `first_date` to `last_date` (SQL expressions, inclusive), as
    column `date_day`. DuckDB generates it in SQL. dbt's date_spine queries its bounds
    while the model compiles, which a unit test or the lint target cannot give, so other
    engines fall back to it only where that holds.
#}
{% macro date_series(first_date, last_date) -%}
    {{ return(adapter.dispatch('date_series')(first_date, last_date)) }}
{%- endmacro %}

{% macro default__date_series(first_date, last_date) -%}
    {{ dbt.date_spine('day', first_date, dbt.dateadd('day', 1, last_date)) }}
{%- endmacro %}

{% macro duckdb__date_series(first_date, last_date) -%}
    select cast(series.generate_series as date) as date_day
    from generate_series(
        cast({{ first_date }} as timestamp),
        cast({{ last_date }} as timestamp),
        interval 1 day
    ) as series
{%- endmacro %}
