{#
    Raw timestamps are UTC without a zone. KPIs count an event in the period of its
    date in the reporting time zone (var `reporting_time_zone`), so a deal won at
    23:30 UTC on 31 March is an April deal in Moscow.
#}
{% macro to_local_timestamp(utc_timestamp) -%}
    {{ return(adapter.dispatch('to_local_timestamp')(utc_timestamp)) }}
{%- endmacro %}

{% macro default__to_local_timestamp(utc_timestamp) -%}
    convert_timezone('UTC', '{{ var("reporting_time_zone") }}', {{ utc_timestamp }})
{%- endmacro %}

{% macro duckdb__to_local_timestamp(utc_timestamp) -%}
    timezone('{{ var("reporting_time_zone") }}', timezone('UTC', {{ utc_timestamp }}))
{%- endmacro %}

{% macro to_local_date(utc_timestamp) -%}
    cast({{ to_local_timestamp(utc_timestamp) }} as date)
{%- endmacro %}

{# The UTC instant a local date (in the reporting time zone) begins. #}
{% macro local_day_start_utc(local_date) -%}
    {{ return(adapter.dispatch('local_day_start_utc')(local_date)) }}
{%- endmacro %}

{% macro default__local_day_start_utc(local_date) -%}
    convert_timezone('{{ var("reporting_time_zone") }}', 'UTC', cast({{ local_date }} as timestamp))
{%- endmacro %}

{% macro duckdb__local_day_start_utc(local_date) -%}
    timezone('UTC', timezone('{{ var("reporting_time_zone") }}', cast({{ local_date }} as timestamp)))
{%- endmacro %}
