{#
    Joins every fact shares: the team its manager belonged to when the event happened,
    and the exchange rate of the event's local date.
#}

{# The manager's version (and so team) in force at `event_at` (UTC). #}
{% macro join_manager_version_at(manager_id, event_at, alias) -%}
    left join {{ ref('dim_managers') }} as {{ alias }}
        on
            {{ manager_id }} = {{ alias }}.manager_id
            and {{ event_at }} >= {{ alias }}.valid_from
            and {{ event_at }} < {{ alias }}.valid_to
{%- endmacro %}

{#
    The manager's version in force just before `instant` (UTC): at the end of a local
    day, `instant` being the next day's start, so a version that begins exactly at
    midnight belongs to the next day.
#}
{% macro join_manager_version_before(manager_id, instant, alias) -%}
    left join {{ ref('dim_managers') }} as {{ alias }}
        on
            {{ manager_id }} = {{ alias }}.manager_id
            and {{ instant }} > {{ alias }}.valid_from
            and {{ instant }} <= {{ alias }}.valid_to
{%- endmacro %}

{# Units of the reporting currency per unit of `currency` on `local_date`, gaps filled. #}
{% macro join_fx_rate_on(currency, local_date, alias) -%}
    left join {{ ref('int_fx_rates_daily') }} as {{ alias }}
        on
            {{ currency }} = {{ alias }}.currency
            and {{ local_date }} = {{ alias }}.rate_date
{%- endmacro %}
