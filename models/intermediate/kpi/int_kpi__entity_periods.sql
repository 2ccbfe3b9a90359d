-- Every KPI of the catalogue per entity (manager, team, channel, company) and period
-- of every grain: the one place the KPI formulas live. Each entity has a row for every
-- period between its first and last measured day, so charts have no gaps: sums and
-- counts are 0 in an empty period, ratios NULL.
--
-- Ratios come from the rolled-up parts of the period, never from averaged ratios.
-- Plans and expenses are monthly: the KPIs built on them are NULL at day and week grain.
-- A KPI whose contract tables the warehouse has no data for (an export without
-- payments, say) is NULL everywhere, not 0 (int_kpi__kpi_coverage).
with measures as (
    select * from {{ ref('int_kpi__period_measures') }}
),

periods as (
    select * from {{ ref('int_kpi__periods') }}
),

-- An entity's span runs from its first to its last measured day, and on through the
-- days something of it is still open (a deal, an overdue task) up to the company's
-- last measured day, so that its period-end states are not cut off.
measured_spans as (
    select
        entity_type,
        entity_id,
        min(first_measure_date) as first_date,
        max(last_measure_date) as last_date
    from measures
    where period_grain = 'year'
    group by entity_type, entity_id
),

open_state_spans as (
    select
        states.entity_type,
        states.entity_id,
        min(states.period_start) as first_date,
        max(states.period_start) as last_date
    from {{ ref('int_kpi__period_end_states') }} as states
    where
        states.period_grain = 'day'
        and states.period_start <= (
            select company.last_date from measured_spans as company
            where company.entity_type = 'company'
        )
    group by states.entity_type, states.entity_id
),

entity_spans as (
    select
        entity_type,
        entity_id,
        min(first_date) as first_date,
        max(last_date) as last_date
    from (
        select * from measured_spans
        union all
        select * from open_state_spans
    ) as spans
    group by entity_type, entity_id
),

spine as (
    select
        entity_spans.entity_type,
        entity_spans.entity_id,
        periods.period_grain,
        periods.period_start,
        periods.period_end,
        periods.next_period_start,
        periods.year_earlier_period_start,
        periods.has_monthly_inputs
    from entity_spans
    inner join periods
        on
            entity_spans.first_date <= periods.period_end
            and entity_spans.last_date >= periods.period_start
),

-- Plans by the entity's rule: a channel's own plan rows, otherwise the rows for all
-- channels.
plans as (
    select
        entity_type,
        entity_id,
        period_grain,
        period_start,
        case
            when entity_type = 'channel' then revenue_plan_by_channel
            else revenue_plan_all_channels
        end as revenue_plan,
        case
            when entity_type = 'channel' then deals_plan_by_channel
            else deals_plan_all_channels
        end as deals_plan,
        case
            when entity_type = 'channel' then margin_plan_by_channel
            else margin_plan_all_channels
        end as margin_plan
    from measures
),

parts as (
    select
        spine.*,
        {%- for name in kpi_measures() %}
            coalesce(measures.{{ name }}, 0) as {{ name }},
        {%- endfor %}
        case when spine.has_monthly_inputs then coalesce(plans.revenue_plan, 0) end
            as revenue_plan,
        case when spine.has_monthly_inputs then coalesce(plans.deals_plan, 0) end as deals_plan,
        case when spine.has_monthly_inputs then coalesce(plans.margin_plan, 0) end
            as margin_plan,
        case when spine.has_monthly_inputs then coalesce(next_plans.revenue_plan, 0) end
            as next_period_revenue_plan,
        case when spine.has_monthly_inputs then coalesce(measures.cost_of_sales, 0) end
            as period_cost_of_sales,
        year_earlier.key_account_revenue as year_earlier_key_account_revenue,
        coalesce(customers.active_customers, 0) as active_customers,
        coalesce(customers.repeat_customers, 0) as repeat_customers,
        coalesce(customers.previous_period_customers, 0) as previous_period_customers,
        coalesce(customers.retained_customers, 0) as retained_customers,
        medians.sales_cycle_days_median,
        medians.lead_response_minutes,
        coalesce(states.open_deals, 0) as open_deals,
        coalesce(states.pipeline_amount, 0) as pipeline_amount,
        coalesce(states.weighted_pipeline_amount, 0) as weighted_pipeline_amount,
        coalesce(states.hygienic_deals, 0) as hygienic_deals,
        coalesce(states.overdue_tasks, 0) as overdue_tasks,
        payback.payback_months
    from
        spine
    {%- for alias, relation, period_column in [
        ('measures', 'measures', 'spine.period_start'),
        ('plans', 'plans', 'spine.period_start'),
        ('next_plans', 'plans', 'spine.next_period_start'),
        ('year_earlier', 'measures', 'spine.year_earlier_period_start'),
        ('customers', ref('int_kpi__period_customers'), 'spine.period_start'),
        ('medians', ref('int_kpi__period_medians'), 'spine.period_start'),
        ('states', ref('int_kpi__period_end_states'), 'spine.period_start'),
        ('payback', ref('int_kpi__payback'), 'spine.period_start'),
    ] %}
        left join {{ relation }} as {{ alias }}
            on
                spine.entity_type = {{ alias }}.entity_type
                and spine.entity_id = {{ alias }}.entity_id
                and spine.period_grain = {{ alias }}.period_grain
                and {{ period_column }} = {{ alias }}.period_start
    {%- endfor %}
),

kpis as (
    select
        entity_type,
        entity_id,
        period_grain,
        period_start,
        period_end,
        revenue,
        invoiced_amount,
        invoices_issued,
        bookings,
        revenue_plan,
        {{ safe_ratio('revenue', 'revenue_plan', 100) }} as plan_attainment_pct,
        {{ safe_ratio('deals_won', 'deals_plan', 100) }} as deals_plan_attainment_pct,
        {{ decimal_ratio('bookings', 'deals_won') }} as avg_deal_size,
        gross_profit,
        {{ safe_ratio('gross_profit', 'line_revenue', 100) }} as gross_margin_pct,
        {{ safe_ratio('gross_profit', 'margin_plan', 100) }} as margin_plan_attainment_pct,
        key_account_revenue,
        {{ safe_ratio(
            'key_account_revenue - year_earlier_key_account_revenue',
            'year_earlier_key_account_revenue', 100
        ) }} as key_account_revenue_growth_pct,
        period_cost_of_sales as cost_of_sales,
        {{ safe_ratio('period_cost_of_sales', 'revenue', 100) }} as cost_to_revenue_pct,
        {{ decimal_ratio('period_cost_of_sales', 'new_customers') }}
            as customer_acquisition_cost,
        case when has_monthly_inputs then payback_months end as payback_months,
        leads_created,
        qualified_leads,
        deals_created,
        deals_won,
        deals_lost,
        {{ safe_ratio('deals_won', 'deals_won + deals_lost', 100) }} as win_rate_pct,
        {{ safe_ratio('bookings', 'bookings + lost_amount', 100) }} as win_rate_amount_pct,
        pipeline_amount,
        weighted_pipeline_amount,
        {{ safe_ratio('pipeline_amount', 'next_period_revenue_plan') }} as pipeline_coverage,
        {{ safe_ratio('leads_won', 'leads_created', 100) }} as lead_conversion_pct,
        {{ safe_ratio(
            'competitive_deals_won', 'competitive_deals_won + competitive_deals_lost', 100
        ) }} as competitive_win_rate_pct,
        {{ safe_ratio('sales_cycle_days_total', 'won_deals_with_cycle') }} as sales_cycle_days,
        sales_cycle_days_median,
        lead_response_minutes,
        leads_unanswered,
        new_customers,
        new_target_customers,
        event_contacts,
        active_customers,
        repeat_customers,
        {{ safe_ratio('repeat_customers', 'active_customers', 100) }} as repeat_purchase_rate_pct,
        {{ safe_ratio('retained_customers', 'previous_period_customers', 100) }}
            as retention_rate_pct,
        lost_deals_manager_fault,
        call_attempts,
        calls_connected,
        first_touches,
        emails_sent,
        meetings_scheduled,
        meetings_held,
        presentations_held,
        decision_maker_meetings,
        proposals_sent,
        proposals_reviewed,
        contracts_signed,
        regulated_contacts,
        payments_received,
        {{ safe_ratio('nps_promoters - nps_detractors', 'nps_responses', 100) }} as nps,
        {{ safe_ratio('csat_total', 'csat_responses') }} as csat_avg,
        survey_responses,
        overdue_tasks,
        {{ safe_ratio('hygienic_deals', 'open_deals', 100) }} as crm_hygiene_pct,
        stage_skips,
        revenue_plan as plan_revenue,
        deals_plan as plan_deals,
        margin_plan as plan_margin
    from parts
),

-- One row, one boolean column per KPI: whether the warehouse has what it needs.
computable as (
    select
        {%- for code in kpi_codes() %}
            bool_or(is_computable) filter (where kpi_code = '{{ code }}') as {{ code }}
            {%- if not loop.last %},{% endif %}
        {%- endfor %}
    from {{ ref('int_kpi__kpi_coverage') }}
)

select
    kpis.entity_type,
    kpis.entity_id,
    kpis.period_grain,
    kpis.period_start,
    kpis.period_end,
    {%- for code, kind in kpi_kinds().items() %}
        case when computable.{{ code }} then cast(kpis.{{ code }} as {{ kpi_type(kind) }}) end
            as {{ code }},
    {%- endfor %}
    case when computable.revenue_plan then cast(kpis.plan_revenue as decimal(18, 2)) end
        as plan_revenue,
    case
        when computable.revenue_plan
            then cast(kpis.plan_deals as {{ api.Column.translate_type('bigint') }})
    end as plan_deals,
    case when computable.revenue_plan then cast(kpis.plan_margin as decimal(18, 2)) end
        as plan_margin
from kpis
cross join computable
