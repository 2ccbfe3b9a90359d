{#
    The KPI catalogue as the marts see it. The order is the column order of the wide
    marts; `seeds/kpi_catalogue.csv` holds the names and definitions, and a test fails
    when the two lists differ. Each KPI has a storage kind: money is DECIMAL(18,2),
    counts are BIGINT, everything else (ratios, means, medians) is DOUBLE.
#}
{% macro kpi_kinds() -%}
    {{ return({
        'revenue': 'money',
        'invoiced_amount': 'money',
        'invoices_issued': 'count',
        'bookings': 'money',
        'revenue_plan': 'money',
        'plan_attainment_pct': 'ratio',
        'deals_plan_attainment_pct': 'ratio',
        'avg_deal_size': 'money',
        'gross_profit': 'money',
        'gross_margin_pct': 'ratio',
        'margin_plan_attainment_pct': 'ratio',
        'key_account_revenue': 'money',
        'key_account_revenue_growth_pct': 'ratio',
        'cost_of_sales': 'money',
        'cost_to_revenue_pct': 'ratio',
        'customer_acquisition_cost': 'money',
        'payback_months': 'count',
        'leads_created': 'count',
        'qualified_leads': 'count',
        'deals_created': 'count',
        'deals_won': 'count',
        'deals_lost': 'count',
        'win_rate_pct': 'ratio',
        'win_rate_amount_pct': 'ratio',
        'pipeline_amount': 'money',
        'weighted_pipeline_amount': 'money',
        'pipeline_coverage': 'ratio',
        'lead_conversion_pct': 'ratio',
        'competitive_win_rate_pct': 'ratio',
        'sales_cycle_days': 'ratio',
        'sales_cycle_days_median': 'ratio',
        'lead_response_minutes': 'ratio',
        'leads_unanswered': 'count',
        'new_customers': 'count',
        'new_target_customers': 'count',
        'event_contacts': 'count',
        'active_customers': 'count',
        'repeat_customers': 'count',
        'repeat_purchase_rate_pct': 'ratio',
        'retention_rate_pct': 'ratio',
        'lost_deals_manager_fault': 'count',
        'call_attempts': 'count',
        'calls_connected': 'count',
        'first_touches': 'count',
        'emails_sent': 'count',
        'meetings_scheduled': 'count',
        'meetings_held': 'count',
        'presentations_held': 'count',
        'decision_maker_meetings': 'count',
        'proposals_sent': 'count',
        'proposals_reviewed': 'count',
        'contracts_signed': 'count',
        'regulated_contacts': 'count',
        'payments_received': 'count',
        'nps': 'ratio',
        'csat_avg': 'ratio',
        'survey_responses': 'count',
        'overdue_tasks': 'count',
        'crm_hygiene_pct': 'ratio',
        'stage_skips': 'count',
    }) }}
{%- endmacro %}

{% macro kpi_codes() -%}
    {{ return(kpi_kinds().keys() | list) }}
{%- endmacro %}

{#
    The SQL type a KPI (or an additive part) of `kind` is stored as: money in the
    marts is DECIMAL(18,2); parts are summed wider (money_precision 38).
#}
{% macro kpi_type(kind, money_precision=18) -%}
    {%- if kind == 'money' -%}
        decimal({{ money_precision }}, 2)
    {%- elif kind == 'count' -%}
        {{ api.Column.translate_type('bigint') }}
    {%- else -%}
        {{ api.Column.translate_type('double') }}
    {%- endif -%}
{%- endmacro %}

{#
    The additive parts of the KPIs: sums and counts that add up across managers,
    channels, teams and days. Each is computed once per local day, manager, team and
    channel, and rolled up to every period; ratios are built from the rolled-up parts.
    `money` parts are summed in DECIMAL(38,2), `count` parts in BIGINT, `number` parts
    in DOUBLE.
#}
{% macro kpi_measures() -%}
    {{ return({
        'revenue': 'money',
        'key_account_revenue': 'money',
        'payments_received': 'count',
        'invoiced_amount': 'money',
        'invoices_issued': 'count',
        'gross_profit': 'money',
        'line_revenue': 'money',
        'bookings': 'money',
        'lost_amount': 'money',
        'deals_created': 'count',
        'deals_won': 'count',
        'deals_lost': 'count',
        'competitive_deals_won': 'count',
        'competitive_deals_lost': 'count',
        'lost_deals_manager_fault': 'count',
        'won_deals_with_cycle': 'count',
        'sales_cycle_days_total': 'number',
        'leads_created': 'count',
        'leads_won': 'count',
        'qualified_leads': 'count',
        'leads_unanswered': 'count',
        'new_customers': 'count',
        'new_target_customers': 'count',
        'event_contacts': 'count',
        'call_attempts': 'count',
        'calls_connected': 'count',
        'first_touches': 'count',
        'emails_sent': 'count',
        'meetings_scheduled': 'count',
        'meetings_held': 'count',
        'presentations_held': 'count',
        'decision_maker_meetings': 'count',
        'regulated_contacts': 'count',
        'proposals_sent': 'count',
        'proposals_reviewed': 'count',
        'contracts_signed': 'count',
        'survey_responses': 'count',
        'nps_responses': 'count',
        'nps_promoters': 'count',
        'nps_detractors': 'count',
        'csat_responses': 'count',
        'csat_total': 'count',
        'stage_skips': 'count',
        'revenue_plan_all_channels': 'money',
        'revenue_plan_by_channel': 'money',
        'deals_plan_all_channels': 'count',
        'deals_plan_by_channel': 'count',
        'margin_plan_all_channels': 'money',
        'margin_plan_by_channel': 'money',
        'cost_of_sales': 'money',
    }) }}
{%- endmacro %}

{#
    One select list over every additive part: the parts named in `present` (name ->
    SQL expression) and a typed zero for the others, so that the per-fact aggregates
    of int_kpi__daily_measures line up for one `union all`.
#}
{# `sum(<alias.>part) as part` for every additive part, for the roll-ups. #}
{% macro sum_kpi_measures(alias=none) -%}
    {%- for name in kpi_measures() %}
        sum({% if alias %}{{ alias }}.{% endif %}{{ name }}) as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{% macro kpi_measure_columns(present) -%}
    {%- for name, kind in kpi_measures().items() %}
        cast({{ present.get(name, '0') }} as {{ kpi_type(kind, 38) }}) as {{ name }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}

{# `numerator / denominator`, NULL when the denominator is 0 or NULL. #}
{% macro safe_ratio(numerator, denominator, scale=1) -%}
    cast({{ numerator }} as {{ api.Column.translate_type('double') }})
    / nullif(cast({{ denominator }} as {{ api.Column.translate_type('double') }}), 0)
    * {{ scale }}
{%- endmacro %}

{#
    The rows of `relation` once per entity they count for: their manager, their team,
    their channel and the company. A row without a manager (or team, or channel)
    counts for the company only. `columns` are carried through.
#}
{% macro kpi_entity_rows(relation, columns) -%}
    {%- set carried = columns | join(', ') -%}
    select
        'manager' as entity_type,
        manager_id as entity_id,
        {{ carried }}
    from {{ relation }}
    where manager_id is not null
    union all
    select
        'team' as entity_type,
        team_id as entity_id,
        {{ carried }}
    from {{ relation }}
    where team_id is not null
    union all
    select
        'channel' as entity_type,
        channel_code as entity_id,
        {{ carried }}
    from {{ relation }}
    where channel_code is not null
    union all
    select
        'company' as entity_type,
        'company' as entity_id,
        {{ carried }}
    from {{ relation }}
{%- endmacro %}

{#
    A money ratio (an average deal, a cost per customer) rounded half away from zero
    to the kopeck, exactly: DuckDB divides decimals in DOUBLE, so the quotient is
    taken in whole kopecks, where a double is exact up to 2^53 (90 trillion roubles).
#}
{% macro decimal_ratio(numerator, denominator) -%}
    {%- set double = api.Column.translate_type('double') -%}
    cast(
        sign({{ numerator }}) * floor(
            (2 * abs(cast({{ numerator }} * 100 as {{ double }})) + {{ denominator }})
            / nullif(2 * cast({{ denominator }} as {{ double }}), 0)
        ) / 100
        as decimal(18, 2)
    )
{%- endmacro %}

{#
    The last day a period-end state is needed for: the end of the fiscal year of the
    last measured day. dim_date can reach further (a task due next year), but no KPI
    row does, and the daily state grid is the biggest table of the marts.
#}
{% macro kpi_state_horizon() -%}
    (
        select {{ fiscal_period_end('year', 'max(measure_date)') }}
        from {{ ref('int_kpi__daily_measures') }}
    )
{%- endmacro %}

{# A sum of DOUBLE values that does not depend on row order: added up in decimals. #}
{% macro exact_sum(expression) -%}
    cast(sum(cast({{ expression }} as decimal(38, 12))) as {{ api.Column.translate_type('double') }})
{%- endmacro %}
