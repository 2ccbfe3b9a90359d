-- kpi_manager_period with what its suite checks beside the KPI columns: the gap before
-- each period in the manager's series of that grain (the marts contract wants no gaps),
-- whether the period's bounds are a calendar period of dim_date, monthly KPIs at day
-- or week grain, the difference between a period's sums and the sums of its days,
-- and how far the ratios are from their summed numerators and denominators.
with manager_periods as (
    select * from marts.kpi_manager_period
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
        manager_id,
        period_grain,
        period_start,
        -- days between the end of the previous period of the series and this start,
        -- minus one: 0 when the periods touch, null for the first period
        datediff(
            'day',
            lag(period_end) over (partition by manager_id, period_grain order by period_start),
            period_start
        ) - 1 as gap_days
    from manager_periods
),

sums_of_days as (
    select
        period_rows.manager_id,
        period_rows.period_grain,
        period_rows.period_start,
        sum(day_rows.revenue) as revenue,
        sum(day_rows.bookings) as bookings,
        sum(day_rows.deals_won) as deals_won,
        sum(day_rows.leads_created) as leads_created,
        sum(day_rows.call_attempts) as call_attempts
    from manager_periods as period_rows
    inner join manager_periods as day_rows
        on
            day_rows.period_grain = 'day'
            and period_rows.manager_id = day_rows.manager_id
            and day_rows.period_start between period_rows.period_start and period_rows.period_end
    where period_rows.period_grain <> 'day'
    group by period_rows.manager_id, period_rows.period_grain, period_rows.period_start
)

select
    manager_periods.manager_id,
    manager_periods.manager_name,
    manager_periods.team_id,
    manager_periods.period_grain,
    manager_periods.period_start,
    manager_periods.period_end,
    manager_periods.invoiced_amount,
    manager_periods.invoices_issued,
    manager_periods.bookings,
    manager_periods.revenue_plan,
    manager_periods.plan_attainment_pct,
    manager_periods.deals_plan_attainment_pct,
    manager_periods.avg_deal_size,
    manager_periods.gross_profit,
    manager_periods.gross_margin_pct,
    manager_periods.margin_plan_attainment_pct,
    manager_periods.cost_of_sales,
    manager_periods.cost_to_revenue_pct,
    manager_periods.customer_acquisition_cost,
    manager_periods.payback_months,
    manager_periods.leads_created,
    manager_periods.qualified_leads,
    manager_periods.deals_created,
    manager_periods.deals_won,
    manager_periods.deals_lost,
    manager_periods.win_rate_pct,
    manager_periods.win_rate_amount_pct,
    manager_periods.pipeline_amount,
    manager_periods.weighted_pipeline_amount,
    manager_periods.pipeline_coverage,
    manager_periods.lead_conversion_pct,
    manager_periods.competitive_win_rate_pct,
    manager_periods.sales_cycle_days,
    manager_periods.sales_cycle_days_median,
    manager_periods.lead_response_minutes,
    manager_periods.leads_unanswered,
    manager_periods.new_customers,
    manager_periods.new_target_customers,
    manager_periods.event_contacts,
    manager_periods.active_customers,
    manager_periods.repeat_customers,
    manager_periods.repeat_purchase_rate_pct,
    manager_periods.retention_rate_pct,
    manager_periods.lost_deals_manager_fault,
    manager_periods.call_attempts,
    manager_periods.calls_connected,
    manager_periods.first_touches,
    manager_periods.emails_sent,
    manager_periods.meetings_scheduled,
    manager_periods.meetings_held,
    manager_periods.presentations_held,
    manager_periods.decision_maker_meetings,
    manager_periods.proposals_sent,
    manager_periods.proposals_reviewed,
    manager_periods.contracts_signed,
    manager_periods.regulated_contacts,
    manager_periods.payments_received,
    manager_periods.nps,
    manager_periods.csat_avg,
    manager_periods.survey_responses,
    manager_periods.overdue_tasks,
    manager_periods.crm_hygiene_pct,
    manager_periods.stage_skips,
    period_gaps.gap_days,
    calendar_periods.period_start is not null as is_calendar_period,
    manager_periods.period_grain in ('day', 'week')
    and (
        manager_periods.revenue_plan is not null
        or manager_periods.cost_of_sales is not null
        or manager_periods.plan_attainment_pct is not null
        or manager_periods.payback_months is not null
    ) as has_monthly_kpi_below_month,
    manager_periods.revenue - coalesce(sums_of_days.revenue, manager_periods.revenue)
        as revenue_minus_sum_of_days,
    manager_periods.bookings - coalesce(sums_of_days.bookings, manager_periods.bookings)
        as bookings_minus_sum_of_days,
    manager_periods.deals_won - coalesce(sums_of_days.deals_won, manager_periods.deals_won)
        as deals_won_minus_sum_of_days,
    manager_periods.leads_created
    - coalesce(sums_of_days.leads_created, manager_periods.leads_created)
        as leads_created_minus_sum_of_days,
    manager_periods.call_attempts
    - coalesce(sums_of_days.call_attempts, manager_periods.call_attempts)
        as call_attempts_minus_sum_of_days,
    -- 100 when the ratio is null although its denominator is not 0, or the reverse
    case
        when
            (manager_periods.deals_won + manager_periods.deals_lost > 0)
            <> (manager_periods.win_rate_pct is not null)
            then 100
        else abs(
            manager_periods.win_rate_pct
            - 100.0 * manager_periods.deals_won
            / nullif(manager_periods.deals_won + manager_periods.deals_lost, 0)
        )
    end as win_rate_pct_error,
    case
        when
            (manager_periods.revenue_plan > 0 and manager_periods.revenue is not null)
            <> (manager_periods.plan_attainment_pct is not null)
            then 100
        else abs(
            manager_periods.plan_attainment_pct
            - 100.0 * cast(manager_periods.revenue as double)
            / nullif(cast(manager_periods.revenue_plan as double), 0)
        )
    end as plan_attainment_pct_error,
    case
        when (manager_periods.deals_won > 0) <> (manager_periods.avg_deal_size is not null) then 100
        else abs(
            cast(manager_periods.avg_deal_size as double)
            - cast(manager_periods.bookings as double) / nullif(manager_periods.deals_won, 0)
        )
    end as avg_deal_size_error
from manager_periods
left join period_gaps
    on
        manager_periods.period_grain = period_gaps.period_grain
        and manager_periods.period_start = period_gaps.period_start
        and manager_periods.manager_id = period_gaps.manager_id
left join calendar_periods
    on
        manager_periods.period_grain = calendar_periods.period_grain
        and manager_periods.period_start = calendar_periods.period_start
        and manager_periods.period_end = calendar_periods.period_end
left join sums_of_days
    on
        manager_periods.period_grain = sums_of_days.period_grain
        and manager_periods.period_start = sums_of_days.period_start
        and manager_periods.manager_id = sums_of_days.manager_id
