-- kpi_long with, per value, whether its KPI is in the catalogue, whether the value is
-- inside the KPI's possible range (the same bounds the wide KPI marts' suites check),
-- whether plan columns appear only on the KPIs that have a plan, and how far
-- attainment_pct is from value / plan_value × 100.
with kpi_values as (
    select * from marts.kpi_long
),

catalogue as (
    select kpi_code from marts.kpi_catalogue
),

kpi_bounds as (
    select
        bounds.kpi_code,
        bounds.min_value,
        bounds.max_value
    from (
        values
        ('invoiced_amount', 0, null),
        ('invoices_issued', 0, null),
        ('bookings', 0, null),
        ('revenue_plan', 0, null),
        ('avg_deal_size', 0, null),
        ('cost_of_sales', 0, null),
        ('customer_acquisition_cost', 0, null),
        ('leads_created', 0, null),
        ('qualified_leads', 0, null),
        ('deals_created', 0, null),
        ('deals_won', 0, null),
        ('deals_lost', 0, null),
        ('win_rate_pct', 0, 100),
        ('win_rate_amount_pct', 0, 100),
        ('pipeline_amount', 0, null),
        ('weighted_pipeline_amount', 0, null),
        ('pipeline_coverage', 0, null),
        ('lead_conversion_pct', 0, 100),
        ('competitive_win_rate_pct', 0, 100),
        ('sales_cycle_days', 0, null),
        ('sales_cycle_days_median', 0, null),
        ('lead_response_minutes', 0, null),
        ('leads_unanswered', 0, null),
        ('new_customers', 0, null),
        ('new_target_customers', 0, null),
        ('event_contacts', 0, null),
        ('active_customers', 0, null),
        ('repeat_customers', 0, null),
        ('repeat_purchase_rate_pct', 0, 100),
        ('retention_rate_pct', 0, 100),
        ('lost_deals_manager_fault', 0, null),
        ('call_attempts', 0, null),
        ('calls_connected', 0, null),
        ('first_touches', 0, null),
        ('emails_sent', 0, null),
        ('meetings_scheduled', 0, null),
        ('meetings_held', 0, null),
        ('presentations_held', 0, null),
        ('decision_maker_meetings', 0, null),
        ('proposals_sent', 0, null),
        ('proposals_reviewed', 0, null),
        ('contracts_signed', 0, null),
        ('regulated_contacts', 0, null),
        ('payments_received', 0, null),
        ('survey_responses', 0, null),
        ('overdue_tasks', 0, null),
        ('crm_hygiene_pct', 0, 100),
        ('stage_skips', 0, null),
        ('nps', -100, 100),
        ('csat_avg', 1, 5),
        ('payback_months', 1, null),
        ('gross_margin_pct', null, 100),
        ('deals_plan_attainment_pct', 0, null)
    ) as bounds (kpi_code, min_value, max_value)
)

select
    kpi_values.kpi_code,
    kpi_values.entity_type,
    kpi_values.entity_id,
    kpi_values.period_grain,
    kpi_values.period_start,
    kpi_values.period_end,
    kpi_values.value,
    catalogue.kpi_code is not null as is_catalogued,
    kpi_values.value < kpi_bounds.min_value
    or kpi_values.value > kpi_bounds.max_value as is_out_of_range,
    kpi_values.kpi_code not in ('revenue', 'deals_won', 'gross_profit')
    and (kpi_values.plan_value is not null or kpi_values.attainment_pct is not null)
        as has_plan_without_plan_kpi,
    case
        when (kpi_values.plan_value > 0) <> (kpi_values.attainment_pct is not null) then 100
        else abs(
            kpi_values.attainment_pct
            - 100 * kpi_values.value / nullif(kpi_values.plan_value, 0)
        )
    end as attainment_pct_error
from kpi_values
left join catalogue
    on kpi_values.kpi_code = catalogue.kpi_code
left join kpi_bounds
    on kpi_values.kpi_code = kpi_bounds.kpi_code
