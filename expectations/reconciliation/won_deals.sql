-- Won deals per month from staging (stg_crm__deals: the newest live version of every
-- deal, deleted deals dropped) by the KPI's period rule, the local month of closed_at,
-- set against deals_won of the company in kpi_company_period and against fct_deals.
with staged_won_deals as (
    select
        deal_id,
        cast(timezone(${reporting_time_zone}, timezone('UTC', closed_at)) as date) as closed_date
    from staging.stg_crm__deals
    where deal_status = 'won'
),

staged_months as (
    select
        cast(date_trunc('month', closed_date) as date) as month_start,
        count(*) as staged_deals_won
    from staged_won_deals
    group by cast(date_trunc('month', closed_date) as date)
),

fact_months as (
    select
        cast(date_trunc('month', closed_date) as date) as month_start,
        count(*) as fact_deals_won
    from marts.fct_deals
    where is_won
    group by cast(date_trunc('month', closed_date) as date)
),

kpi_months as (
    select
        period_start as month_start,
        deals_won as kpi_deals_won
    from marts.kpi_company_period
    where period_grain = 'month'
),

-- every month either side knows; a month without won deals on one side counts 0 there
months as (
    select month_start from staged_months
    union
    select month_start from fact_months
    union
    select month_start from kpi_months
),

-- won deals in staging without a close date, which no month can count
won_deals_without_close as (
    select count(*) as deals
    from staged_won_deals
    where closed_date is null
)

select
    months.month_start,
    coalesce(kpi_months.kpi_deals_won, 0)
    - coalesce(staged_months.staged_deals_won, 0) as kpi_minus_staged_deals_won,
    coalesce(fact_months.fact_deals_won, 0)
    - coalesce(staged_months.staged_deals_won, 0) as fct_deals_minus_staged_deals_won,
    won_deals_without_close.deals as won_deals_without_close_date
from months
left join staged_months
    on months.month_start = staged_months.month_start
left join fact_months
    on months.month_start = fact_months.month_start
left join kpi_months
    on months.month_start = kpi_months.month_start
cross join won_deals_without_close
