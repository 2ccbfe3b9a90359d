-- kpi_company_period with what its suite checks beside the KPI columns: the gap before
-- each period in the company's series of that grain (the marts contract wants no gaps),
-- whether the period's bounds are a calendar period of dim_date, monthly KPIs at day
-- or week grain, the difference between a period's sums and the sums of its days,
-- and how far the ratios are from their summed numerators and denominators.
with company_periods as (
    select * from marts.kpi_company_period
),

calendar_periods as (
    select distinct
        'day' as period_grain,
        date_day as period_start,
        date_day as period_end
    from marts.dim_date
    union all
    select distinct
        'week' as period_grain,
        iso_week_start as period_start,
        iso_week_end as period_end
    from marts.dim_date
    union all
    select distinct
        'month' as period_grain,
        month_start as period_start,
        month_end as period_end
    from marts.dim_date
    union all
    select distinct
        'quarter' as period_grain,
        fiscal_quarter_start as period_start,
        fiscal_quarter_end as period_end
    from marts.dim_date
    union all
    select distinct
        'year' as period_grain,
        fiscal_year_start as period_start,
        fiscal_year_end as period_end
    from marts.dim_date
),

period_gaps as (
    select
        period_grain,
        period_start,
        -- days between the end of the previous period of the series and this start,
        -- minus one: 0 when the periods touch, null for the first period
        datediff(
            'day',
            lag(period_end) over (partition by period_grain order by period_start),
            period_start
        ) - 1 as gap_days
    from company_periods
),

sums_of_days as (
    select
        period_rows.period_grain,
        period_rows.period_start,
        sum(day_rows.revenue) as revenue,
        sum(day_rows.bookings) as bookings,
        sum(day_rows.deals_won) as deals_won,
        sum(day_rows.leads_created) as leads_created,
        sum(day_rows.call_attempts) as call_attempts
    from company_periods as period_rows
    inner join company_periods as day_rows
        on
            day_rows.period_grain = 'day'
            and day_rows.period_start between period_rows.period_start and period_rows.period_end
    where period_rows.period_grain <> 'day'
    group by period_rows.period_grain, period_rows.period_start
)

select
    company_periods.period_grain,
    company_periods.period_start,
    company_periods.period_end,
    company_periods.invoiced_amount,
    company_periods.invoices_issued,
    company_periods.bookings,
    company_periods.revenue_plan,
    company_periods.plan_attainment_pct,
    company_periods.deals_plan_attainment_pct,
    company_periods.avg_deal_size,
    company_periods.gross_profit,
    company_periods.gross_margin_pct,
    company_periods.margin_plan_attainment_pct,
    company_periods.cost_of_sales,
    company_periods.cost_to_revenue_pct,
    company_periods.customer_acquisition_cost,
    company_periods.payback_months,
    company_periods.leads_created,
    company_periods.qualified_leads,
    company_periods.deals_created,
    company_periods.deals_won,
    company_periods.deals_lost,
    company_periods.win_rate_pct,
    company_periods.win_rate_amount_pct,
    company_periods.pipeline_amount,
    company_periods.weighted_pipeline_amount,
    company_periods.pipeline_coverage,
    company_periods.lead_conversion_pct,
    company_periods.competitive_win_rate_pct,
    company_periods.sales_cycle_days,
    company_periods.sales_cycle_days_median,
    company_periods.lead_response_minutes,
    company_periods.leads_unanswered,
    company_periods.new_customers,
    company_periods.new_target_customers,
    company_periods.event_contacts,
    company_periods.active_customers,
    company_periods.repeat_customers,
    company_periods.repeat_purchase_rate_pct,
    company_periods.retention_rate_pct,
    company_periods.lost_deals_manager_fault,
    company_periods.call_attempts,
    company_periods.calls_connected,
    company_periods.first_touches,
    company_periods.emails_sent,
    company_periods.meetings_scheduled,
    company_periods.meetings_held,
    company_periods.presentations_held,
    company_periods.decision_maker_meetings,
    company_periods.proposals_sent,
    company_periods.proposals_reviewed,
    company_periods.contracts_signed,
    company_periods.regulated_contacts,
    company_periods.payments_received,
    company_periods.nps,
    company_periods.csat_avg,
    company_periods.survey_responses,
    company_periods.overdue_tasks,
    company_periods.crm_hygiene_pct,
    company_periods.stage_skips,
    period_gaps.gap_days,
    calendar_periods.period_start is not null as is_calendar_period,
    company_periods.period_grain in ('day', 'week')
    and (
        company_periods.revenue_plan is not null
        or company_periods.cost_of_sales is not null
        or company_periods.plan_attainment_pct is not null
        or company_periods.payback_months is not null
    ) as has_monthly_kpi_below_month,
    company_periods.revenue - coalesce(sums_of_days.revenue, company_periods.revenue)
        as revenue_minus_sum_of_days,
    company_periods.bookings - coalesce(sums_of_days.bookings, company_periods.bookings)
        as bookings_minus_sum_of_days,
    company_periods.deals_won - coalesce(sums_of_days.deals_won, company_periods.deals_won)
        as deals_won_minus_sum_of_days,
    company_periods.leads_created
    - coalesce(sums_of_days.leads_created, company_periods.leads_created)
        as leads_created_minus_sum_of_days,
    company_periods.call_attempts
    - coalesce(sums_of_days.call_attempts, company_periods.call_attempts)
        as call_attempts_minus_sum_of_days,
    -- 100 when the ratio is null although its denominator is not 0, or the reverse
    case
        when
            (company_periods.deals_won + company_periods.deals_lost > 0)
            <> (company_periods.win_rate_pct is not null)
            then 100
        else abs(
            company_periods.win_rate_pct
            - 100.0 * company_periods.deals_won
            / nullif(company_periods.deals_won + company_periods.deals_lost, 0)
        )
    end as win_rate_pct_error,
    case
        when
            (company_periods.revenue_plan > 0 and company_periods.revenue is not null)
            <> (company_periods.plan_attainment_pct is not null)
            then 100
        else abs(
            company_periods.plan_attainment_pct
            - 100.0 * cast(company_periods.revenue as double)
            / nullif(cast(company_periods.revenue_plan as double), 0)
        )
    end as plan_attainment_pct_error,
    case
        when (company_periods.deals_won > 0) <> (company_periods.avg_deal_size is not null) then 100
        else abs(
            cast(company_periods.avg_deal_size as double)
            - cast(company_periods.bookings as double) / nullif(company_periods.deals_won, 0)
        )
    end as avg_deal_size_error
from company_periods
left join period_gaps
    on
        company_periods.period_grain = period_gaps.period_grain
        and company_periods.period_start = period_gaps.period_start
left join calendar_periods
    on
        company_periods.period_grain = calendar_periods.period_grain
        and company_periods.period_start = calendar_periods.period_start
        and company_periods.period_end = calendar_periods.period_end
left join sums_of_days
    on
        company_periods.period_grain = sums_of_days.period_grain
        and company_periods.period_start = sums_of_days.period_start
