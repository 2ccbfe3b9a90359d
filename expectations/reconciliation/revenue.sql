-- Revenue per month, rebuilt from the raw finance extracts and set against the KPI
-- marts: the newest version of every payment (staging's rule: latest file, then latest
-- row in it), converted to the reporting currency at the rate published on or before
-- the payment's local date (rounded half away from zero to the kopeck per payment, as
-- the ledger does), summed by the local month of paid_at. The month's company revenue
-- in kpi_company_period and the sum of fct_payments must equal it to the kopeck.
with payment_versions as (
    select
        trim(payment_id) as payment_id,
        paid_at,
        amount,
        upper(trim(currency)) as currency,
        row_number() over (
            partition by trim(payment_id)
            order by _file_id desc, _row_number desc
        ) as version_rank
    from raw.finance__payments
),

latest_payments as (
    select
        payment_id,
        amount,
        currency,
        cast(timezone(${reporting_time_zone}, timezone('UTC', paid_at)) as date) as paid_date
    from payment_versions
    where version_rank = 1
),

rate_versions as (
    select
        rate_date,
        upper(trim(currency)) as currency,
        cast(rate_to_base as decimal(18, 8)) as rate_to_reporting,
        row_number() over (
            partition by rate_date, upper(trim(currency))
            order by _file_id desc, _row_number desc
        ) as version_rank
    from raw.finance__fx_rates
),

published_rates as (
    select
        rate_date,
        currency,
        rate_to_reporting
    from rate_versions
    where version_rank = 1 and currency <> ${reporting_currency}
),

converted_payments as (
    select
        latest_payments.payment_id,
        latest_payments.paid_date,
        latest_payments.amount,
        cast(round(
            cast(latest_payments.amount as decimal(38, 10))
            * case
                when latest_payments.currency = ${reporting_currency} then 1
                else published_rates.rate_to_reporting
            end,
            2
        ) as decimal(18, 2)) as amount_reporting
    from latest_payments
    asof left join published_rates
        on
            latest_payments.currency = published_rates.currency
            and latest_payments.paid_date >= published_rates.rate_date
),

ledger_months as (
    select
        cast(date_trunc('month', paid_date) as date) as month_start,
        sum(amount_reporting) as ledger_revenue,
        count(*) filter (where amount > 0) as ledger_payments_received,
        count(*) filter (where amount_reporting is null) as payments_without_rate
    from converted_payments
    group by cast(date_trunc('month', paid_date) as date)
),

kpi_months as (
    select
        period_start as month_start,
        revenue as kpi_revenue,
        payments_received as kpi_payments_received
    from marts.kpi_company_period
    where period_grain = 'month'
),

fact_months as (
    select
        cast(date_trunc('month', paid_date) as date) as month_start,
        sum(amount_reporting) as fact_revenue
    from marts.fct_payments
    group by cast(date_trunc('month', paid_date) as date)
),

-- every month either side knows; a month without payments on one side counts 0 there
months as (
    select month_start from ledger_months
    union
    select month_start from kpi_months
    union
    select month_start from fact_months
)

select
    months.month_start,
    cast(
        coalesce(kpi_months.kpi_revenue, 0) - coalesce(ledger_months.ledger_revenue, 0)
        as decimal(18, 2)
    ) as kpi_minus_ledger_revenue,
    cast(
        coalesce(fact_months.fact_revenue, 0) - coalesce(ledger_months.ledger_revenue, 0)
        as decimal(18, 2)
    ) as fct_payments_minus_ledger_revenue,
    coalesce(kpi_months.kpi_payments_received, 0)
    - coalesce(ledger_months.ledger_payments_received, 0) as kpi_minus_ledger_payments_received,
    coalesce(ledger_months.payments_without_rate, 0) as payments_without_rate
from months
left join ledger_months
    on months.month_start = ledger_months.month_start
left join kpi_months
    on months.month_start = kpi_months.month_start
left join fact_months
    on months.month_start = fact_months.month_start
