-- kpi_channel_period with what its suite checks beside the KPI columns: the gap before
-- each period in the channel's series of that grain (the marts contract wants no gaps),
-- whether the period's bounds are a calendar period of dim_date, monthly KPIs at day
-- or week grain, the difference between a period's sums and the sums of its days,
-- and how far the ratios are from their summed numerators and denominators.
with channel_periods as (
    select * from marts.kpi_channel_period
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
        channel_code,
        period_grain,
        period_start,
        -- days between the end of the previous period of the series and this start,
        -- minus one: 0 when the periods touch, null for the first period
        datediff(
            'day',
            lag(period_end) over (partition by channel_code, period_grain order by period_start),
            period_start
        ) - 1 as gap_days
    from channel_periods
),

sums_of_days as (
    select
        period_rows.channel_code,
        period_rows.period_grain,
        period_rows.period_start,
        sum(day_rows.revenue) as revenue,
        sum(day_rows.bookings) as bookings,
        sum(day_rows.deals_won) as deals_won,
        sum(day_rows.leads_created) as leads_created,
        sum(day_rows.call_attempts) as call_attempts
    from channel_periods as period_rows
    inner join channel_periods as day_rows
        on
            day_rows.period_grain = 'day'
            and period_rows.channel_code = day_rows.channel_code
            and day_rows.period_start between period_rows.period_start and period_rows.period_end
    where period_rows.period_grain <> 'day'
    group by period_rows.channel_code, period_rows.period_grain, period_rows.period_start
)

select
    channel_periods.channel_code,
    channel_periods.channel_name,
    channel_periods.period_grain,
    channel_periods.period_start,
    channel_periods.period_end,
    channel_periods.invoiced_amount,
    channel_periods.invoices_issued,
    channel_periods.bookings,
    channel_periods.revenue_plan,
    channel_periods.plan_attainment_pct,
    channel_periods.deals_plan_attainment_pct,
    channel_periods.avg_deal_size,
    channel_periods.gross_profit,
    channel_periods.gross_margin_pct,
    channel_periods.margin_plan_attainment_pct,
    channel_periods.cost_of_sales,
    channel_periods.cost_to_revenue_pct,
    channel_periods.customer_acquisition_cost,
    channel_periods.payback_months,
    channel_periods.leads_created,
    channel_periods.qualified_leads,
    channel_periods.deals_created,
    channel_periods.deals_won,
    channel_periods.deals_lost,
    channel_periods.win_rate_pct,
    channel_periods.win_rate_amount_pct,
    channel_periods.pipeline_amount,
    channel_periods.weighted_pipeline_amount,
    channel_periods.pipeline_coverage,
    channel_periods.lead_conversion_pct,
    channel_periods.competitive_win_rate_pct,
    channel_periods.sales_cycle_days,
    channel_periods.sales_cycle_days_median,
    channel_periods.lead_response_minutes,
    channel_periods.leads_unanswered,
    channel_periods.new_customers,
    channel_periods.new_target_customers,
    channel_periods.event_contacts,
    channel_periods.active_customers,
    channel_periods.repeat_customers,
    channel_periods.repeat_purchase_rate_pct,
    channel_periods.retention_rate_pct,
    channel_periods.lost_deals_manager_fault,
    channel_periods.call_attempts,
    channel_periods.calls_connected,
    channel_periods.first_touches,
    channel_periods.emails_sent,
    channel_periods.meetings_scheduled,
    channel_periods.meetings_held,
    channel_periods.presentations_held,
    channel_periods.decision_maker_meetings,
    channel_periods.proposals_sent,
    channel_periods.proposals_reviewed,
    channel_periods.contracts_signed,
    channel_periods.regulated_contacts,
    channel_periods.payments_received,
    channel_periods.nps,
    channel_periods.csat_avg,
    channel_periods.survey_responses,
    channel_periods.overdue_tasks,
    channel_periods.crm_hygiene_pct,
    channel_periods.stage_skips,
    period_gaps.gap_days,
    calendar_periods.period_start is not null as is_calendar_period,
    channel_periods.period_grain in ('day', 'week')
    and (
        channel_periods.revenue_plan is not null
        or channel_periods.cost_of_sales is not null
        or channel_periods.plan_attainment_pct is not null
        or channel_periods.payback_months is not null
    ) as has_monthly_kpi_below_month,
    channel_periods.revenue - coalesce(sums_of_days.revenue, channel_periods.revenue)
        as revenue_minus_sum_of_days,
    channel_periods.bookings - coalesce(sums_of_days.bookings, channel_periods.bookings)
        as bookings_minus_sum_of_days,
    channel_periods.deals_won - coalesce(sums_of_days.deals_won, channel_periods.deals_won)
        as deals_won_minus_sum_of_days,
    channel_periods.leads_created
    - coalesce(sums_of_days.leads_created, channel_periods.leads_created)
        as leads_created_minus_sum_of_days,
    channel_periods.call_attempts
    - coalesce(sums_of_days.call_attempts, channel_periods.call_attempts)
        as call_attempts_minus_sum_of_days,
    -- 100 when the ratio is null although its denominator is not 0, or the reverse
    case
        when
            (channel_periods.deals_won + channel_periods.deals_lost > 0)
            <> (channel_periods.win_rate_pct is not null)
            then 100
        else abs(
            channel_periods.win_rate_pct
            - 100.0 * channel_periods.deals_won
            / nullif(channel_periods.deals_won + channel_periods.deals_lost, 0)
        )
    end as win_rate_pct_error,
    case
        when
            (channel_periods.revenue_plan > 0 and channel_periods.revenue is not null)
            <> (channel_periods.plan_attainment_pct is not null)
            then 100
        else abs(
            channel_periods.plan_attainment_pct
            - 100.0 * cast(channel_periods.revenue as double)
            / nullif(cast(channel_periods.revenue_plan as double), 0)
        )
    end as plan_attainment_pct_error,
    case
        when (channel_periods.deals_won > 0) <> (channel_periods.avg_deal_size is not null) then 100
        else abs(
            cast(channel_periods.avg_deal_size as double)
            - cast(channel_periods.bookings as double) / nullif(channel_periods.deals_won, 0)
        )
    end as avg_deal_size_error
from channel_periods
left join period_gaps
    on
        channel_periods.period_grain = period_gaps.period_grain
        and channel_periods.period_start = period_gaps.period_start
        and channel_periods.channel_code = period_gaps.channel_code
left join calendar_periods
    on
        channel_periods.period_grain = calendar_periods.period_grain
        and channel_periods.period_start = calendar_periods.period_start
        and channel_periods.period_end = calendar_periods.period_end
left join sums_of_days
    on
        channel_periods.period_grain = sums_of_days.period_grain
        and channel_periods.period_start = sums_of_days.period_start
        and channel_periods.channel_code = sums_of_days.channel_code
