-- kpi_team_period with what its suite checks beside the KPI columns: the gap before
-- each period in the team's series of that grain (the marts contract wants no gaps),
-- whether the period's bounds are a calendar period of dim_date, monthly KPIs at day
-- or week grain, the difference between a period's sums and the sums of its days,
-- and how far the ratios are from their summed numerators and denominators.
with team_periods as (
    select * from marts.kpi_team_period
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
        team_id,
        period_grain,
        period_start,
        -- days between the end of the previous period of the series and this start,
        -- minus one: 0 when the periods touch, null for the first period
        datediff(
            'day',
            lag(period_end) over (partition by team_id, period_grain order by period_start),
            period_start
        ) - 1 as gap_days
    from team_periods
),

sums_of_days as (
    select
        period_rows.team_id,
        period_rows.period_grain,
        period_rows.period_start,
        sum(day_rows.revenue) as revenue,
        sum(day_rows.bookings) as bookings,
        sum(day_rows.deals_won) as deals_won,
        sum(day_rows.leads_created) as leads_created,
        sum(day_rows.call_attempts) as call_attempts
    from team_periods as period_rows
    inner join team_periods as day_rows
        on
            day_rows.period_grain = 'day'
            and period_rows.team_id = day_rows.team_id
            and day_rows.period_start between period_rows.period_start and period_rows.period_end
    where period_rows.period_grain <> 'day'
    group by period_rows.team_id, period_rows.period_grain, period_rows.period_start
)

select
    team_periods.team_id,
    team_periods.team_name,
    team_periods.period_grain,
    team_periods.period_start,
    team_periods.period_end,
    team_periods.invoiced_amount,
    team_periods.invoices_issued,
    team_periods.bookings,
    team_periods.revenue_plan,
    team_periods.plan_attainment_pct,
    team_periods.deals_plan_attainment_pct,
    team_periods.avg_deal_size,
    team_periods.gross_profit,
    team_periods.gross_margin_pct,
    team_periods.margin_plan_attainment_pct,
    team_periods.cost_of_sales,
    team_periods.cost_to_revenue_pct,
    team_periods.customer_acquisition_cost,
    team_periods.payback_months,
    team_periods.leads_created,
    team_periods.qualified_leads,
    team_periods.deals_created,
    team_periods.deals_won,
    team_periods.deals_lost,
    team_periods.win_rate_pct,
    team_periods.win_rate_amount_pct,
    team_periods.pipeline_amount,
    team_periods.weighted_pipeline_amount,
    team_periods.pipeline_coverage,
    team_periods.lead_conversion_pct,
    team_periods.competitive_win_rate_pct,
    team_periods.sales_cycle_days,
    team_periods.sales_cycle_days_median,
    team_periods.lead_response_minutes,
    team_periods.leads_unanswered,
    team_periods.new_customers,
    team_periods.new_target_customers,
    team_periods.event_contacts,
    team_periods.active_customers,
    team_periods.repeat_customers,
    team_periods.repeat_purchase_rate_pct,
    team_periods.retention_rate_pct,
    team_periods.lost_deals_manager_fault,
    team_periods.call_attempts,
    team_periods.calls_connected,
    team_periods.first_touches,
    team_periods.emails_sent,
    team_periods.meetings_scheduled,
    team_periods.meetings_held,
    team_periods.presentations_held,
    team_periods.decision_maker_meetings,
    team_periods.proposals_sent,
    team_periods.proposals_reviewed,
    team_periods.contracts_signed,
    team_periods.regulated_contacts,
    team_periods.payments_received,
    team_periods.nps,
    team_periods.csat_avg,
    team_periods.survey_responses,
    team_periods.overdue_tasks,
    team_periods.crm_hygiene_pct,
    team_periods.stage_skips,
    period_gaps.gap_days,
    calendar_periods.period_start is not null as is_calendar_period,
    team_periods.period_grain in ('day', 'week')
    and (
        team_periods.revenue_plan is not null
        or team_periods.cost_of_sales is not null
        or team_periods.plan_attainment_pct is not null
        or team_periods.payback_months is not null
    ) as has_monthly_kpi_below_month,
    team_periods.revenue - coalesce(sums_of_days.revenue, team_periods.revenue)
        as revenue_minus_sum_of_days,
    team_periods.bookings - coalesce(sums_of_days.bookings, team_periods.bookings)
        as bookings_minus_sum_of_days,
    team_periods.deals_won - coalesce(sums_of_days.deals_won, team_periods.deals_won)
        as deals_won_minus_sum_of_days,
    team_periods.leads_created - coalesce(sums_of_days.leads_created, team_periods.leads_created)
        as leads_created_minus_sum_of_days,
    team_periods.call_attempts - coalesce(sums_of_days.call_attempts, team_periods.call_attempts)
        as call_attempts_minus_sum_of_days,
    -- 100 when the ratio is null although its denominator is not 0, or the reverse
    case
        when
            (team_periods.deals_won + team_periods.deals_lost > 0)
            <> (team_periods.win_rate_pct is not null)
            then 100
        else abs(
            team_periods.win_rate_pct
            - 100.0 * team_periods.deals_won
            / nullif(team_periods.deals_won + team_periods.deals_lost, 0)
        )
    end as win_rate_pct_error,
    case
        when
            (team_periods.revenue_plan > 0 and team_periods.revenue is not null)
            <> (team_periods.plan_attainment_pct is not null)
            then 100
        else abs(
            team_periods.plan_attainment_pct
            - 100.0 * cast(team_periods.revenue as double)
            / nullif(cast(team_periods.revenue_plan as double), 0)
        )
    end as plan_attainment_pct_error,
    case
        when (team_periods.deals_won > 0) <> (team_periods.avg_deal_size is not null) then 100
        else abs(
            cast(team_periods.avg_deal_size as double)
            - cast(team_periods.bookings as double) / nullif(team_periods.deals_won, 0)
        )
    end as avg_deal_size_error
from team_periods
left join period_gaps
    on
        team_periods.period_grain = period_gaps.period_grain
        and team_periods.period_start = period_gaps.period_start
        and team_periods.team_id = period_gaps.team_id
left join calendar_periods
    on
        team_periods.period_grain = calendar_periods.period_grain
        and team_periods.period_start = calendar_periods.period_start
        and team_periods.period_end = calendar_periods.period_end
left join sums_of_days
    on
        team_periods.period_grain = sums_of_days.period_grain
        and team_periods.period_start = sums_of_days.period_start
        and team_periods.team_id = sums_of_days.team_id
