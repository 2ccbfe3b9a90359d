-- Every KPI value in one tidy table: one row per kpi_code, entity and period, for BI
-- tools that pivot themselves. Revenue, deals won and gross profit carry their plan
-- and its attainment. A KPI without a value (a ratio with nothing to divide by) has
-- no row.
{%- set plans = {
    'revenue': ('plan_revenue', 'plan_attainment_pct'),
    'deals_won': ('plan_deals', 'deals_plan_attainment_pct'),
    'gross_profit': ('plan_margin', 'margin_plan_attainment_pct'),
} %}
{%- set double = api.Column.translate_type('double') %}
with entity_periods as (
    select * from {{ ref('int_kpi__entity_periods') }}
)

{% for code in kpi_codes() %}
    select
        '{{ code }}' as kpi_code,
        entity_type,
        entity_id,
        period_grain,
        period_start,
        period_end,
        cast({{ code }} as {{ double }}) as value,
        {%- if code in plans %}
            cast({{ plans[code][0] }} as {{ double }}) as plan_value,
            cast({{ plans[code][1] }} as {{ double }}) as attainment_pct
        {%- else %}
            cast(null as {{ double }}) as plan_value,
            cast(null as {{ double }}) as attainment_pct
        {%- endif %}
    from entity_periods
    where {{ code }} is not null
    {% if not loop.last %}union all{% endif %}
{% endfor %}
