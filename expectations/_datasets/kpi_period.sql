-- One kpi_*_period mart (${relation}) with what its suite checks beside the KPI columns:
-- the gap before each period in the series of that grain (the marts contract wants no
-- gaps), whether the period's bounds are a calendar period of dim_date, monthly KPIs at
-- day or week grain, the difference between a period's sums and the sums of its days,
-- and how far the ratios are from their summed numerators and denominators.
-- The four marts differ only in what makes one series, so their suites share this query.
-- Parameters: relation, the mart; series_key, the column that tells one series from
-- another (manager_id, team_id, channel_code), or a constant for the company, which is a
-- single series; entity_columns, the mart's identity columns that come before
-- period_grain, each followed by a comma (nothing for the company).
with kpi_periods as (
    select
        *,
        ${series_key} as series_key
    from ${relation}
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
        series_key,
        period_grain,
        period_start,
        -- days between the end of the previous period of the series and this start,
        -- minus one: 0 when the periods touch, null for the first period
        datediff(
            'day',
            lag(period_end) over (partition by series_key, period_grain order by period_start),
            period_start
        ) - 1 as gap_days
    from kpi_periods
),

sums_of_days as (
    select
        period_rows.series_key,
        period_rows.period_grain,
        period_rows.period_start,
        sum(day_rows.revenue) as revenue,
        sum(day_rows.bookings) as bookings,
        sum(day_rows.deals_won) as deals_won,
        sum(day_rows.leads_created) as leads_created,
        sum(day_rows.call_attempts) as call_attempts
    from kpi_periods as period_rows
    inner join kpi_periods as day_rows
        on
            day_rows.period_grain = 'day'
            and period_rows.series_key = day_rows.series_key
            and day_rows.period_start between period_rows.period_start and period_rows.period_end
    where period_rows.period_grain <> 'day'
    group by period_rows.series_key, period_rows.period_grain, period_rows.period_start
)

-- the identity columns as the suite's entity_columns gives them: on one line, and
-- unqualified, as no other relation here has them
select  -- noqa: LT09
    ${entity_columns}  -- noqa: RF02
    kpi_periods.period_grain,
    kpi_periods.period_start,
    kpi_periods.period_end,
    kpi_periods.invoiced_amount,
    kpi_periods.invoices_issued,
    kpi_periods.bookings,
    kpi_periods.revenue_plan,
    kpi_periods.plan_attainment_pct,
    kpi_periods.deals_plan_attainment_pct,
    kpi_periods.avg_deal_size,
    kpi_periods.gross_profit,
    kpi_periods.gross_margin_pct,
    kpi_periods.margin_plan_attainment_pct,
    kpi_periods.cost_of_sales,
    kpi_periods.cost_to_revenue_pct,
    kpi_periods.customer_acquisition_cost,
    kpi_periods.payback_months,
    kpi_periods.leads_created,
    kpi_periods.qualified_leads,
    kpi_periods.deals_created,
    kpi_periods.deals_won,
    kpi_periods.deals_lost,
    kpi_periods.win_rate_pct,
    kpi_periods.win_rate_amount_pct,
    kpi_periods.pipeline_amount,
    kpi_periods.weighted_pipeline_amount,
    kpi_periods.pipeline_coverage,
    kpi_periods.lead_conversion_pct,
    kpi_periods.competitive_win_rate_pct,
    kpi_periods.sales_cycle_days,
    kpi_periods.sales_cycle_days_median,
    kpi_periods.lead_response_minutes,
    kpi_periods.leads_unanswered,
    kpi_periods.new_customers,
    kpi_periods.new_target_customers,
    kpi_periods.event_contacts,
    kpi_periods.active_customers,
    kpi_periods.repeat_customers,
    kpi_periods.repeat_purchase_rate_pct,
    kpi_periods.retention_rate_pct,
    kpi_periods.lost_deals_manager_fault,
    kpi_periods.call_attempts,
    kpi_periods.calls_connected,
    kpi_periods.first_touches,
    kpi_periods.emails_sent,
    kpi_periods.meetings_scheduled,
    kpi_periods.meetings_held,
    kpi_periods.presentations_held,
    kpi_periods.decision_maker_meetings,
    kpi_periods.proposals_sent,
    kpi_periods.proposals_reviewed,
    kpi_periods.contracts_signed,
    kpi_periods.regulated_contacts,
    kpi_periods.payments_received,
    kpi_periods.nps,
    kpi_periods.csat_avg,
    kpi_periods.survey_responses,
    kpi_periods.overdue_tasks,
    kpi_periods.crm_hygiene_pct,
    kpi_periods.stage_skips,
    period_gaps.gap_days,
    calendar_periods.period_start is not null as is_calendar_period,
    kpi_periods.period_grain in ('day', 'week')
    and (
        kpi_periods.revenue_plan is not null
        or kpi_periods.cost_of_sales is not null
        or kpi_periods.plan_attainment_pct is not null
        or kpi_periods.payback_months is not null
    ) as has_monthly_kpi_below_month,
    kpi_periods.revenue - coalesce(sums_of_days.revenue, kpi_periods.revenue)
        as revenue_minus_sum_of_days,
    kpi_periods.bookings - coalesce(sums_of_days.bookings, kpi_periods.bookings)
        as bookings_minus_sum_of_days,
    kpi_periods.deals_won - coalesce(sums_of_days.deals_won, kpi_periods.deals_won)
        as deals_won_minus_sum_of_days,
    kpi_periods.leads_created
    - coalesce(sums_of_days.leads_created, kpi_periods.leads_created)
        as leads_created_minus_sum_of_days,
    kpi_periods.call_attempts
    - coalesce(sums_of_days.call_attempts, kpi_periods.call_attempts)
        as call_attempts_minus_sum_of_days,
    -- 100 when the ratio is null although its denominator is not 0, or the reverse
    case
        when
            (kpi_periods.deals_won + kpi_periods.deals_lost > 0)
            <> (kpi_periods.win_rate_pct is not null)
            then 100
        else abs(
            kpi_periods.win_rate_pct
            - 100.0 * kpi_periods.deals_won
            / nullif(kpi_periods.deals_won + kpi_periods.deals_lost, 0)
        )
    end as win_rate_pct_error,
    case
        when
            (kpi_periods.revenue_plan > 0 and kpi_periods.revenue is not null)
            <> (kpi_periods.plan_attainment_pct is not null)
            then 100
        else abs(
            kpi_periods.plan_attainment_pct
            - 100.0 * cast(kpi_periods.revenue as double)
            / nullif(cast(kpi_periods.revenue_plan as double), 0)
        )
    end as plan_attainment_pct_error,
    case
        when (kpi_periods.deals_won > 0) <> (kpi_periods.avg_deal_size is not null) then 100
        else abs(
            cast(kpi_periods.avg_deal_size as double)
            - cast(kpi_periods.bookings as double) / nullif(kpi_periods.deals_won, 0)
        )
    end as avg_deal_size_error
from kpi_periods
left join period_gaps
    on
        kpi_periods.period_grain = period_gaps.period_grain
        and kpi_periods.period_start = period_gaps.period_start
        and kpi_periods.series_key = period_gaps.series_key
left join calendar_periods
    on
        kpi_periods.period_grain = calendar_periods.period_grain
        and kpi_periods.period_start = calendar_periods.period_start
        and kpi_periods.period_end = calendar_periods.period_end
left join sums_of_days
    on
        kpi_periods.period_grain = sums_of_days.period_grain
        and kpi_periods.period_start = sums_of_days.period_start
        and kpi_periods.series_key = sums_of_days.series_key
