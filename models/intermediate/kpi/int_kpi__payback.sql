-- Payback of the customers won in a period, per entity and period of month grain and
-- coarser (customer acquisition cost needs the monthly expenses). The cohort is the
-- clients whose first won deal closed in the period, counted for that deal's manager,
-- team and channel. Starting with the month of the cohort's earliest first payment as
-- month 1, payback_months is the month in which the cohort's cumulative gross profit
-- reaches the period's customer acquisition cost times the cohort's size; NULL until
-- it does.
with first_wins as (
    select
        client_id,
        manager_id,
        closed_team_id as team_id,
        channel_code,
        closed_date,
        row_number() over (
            partition by client_id order by closed_at, deal_id
        ) as win_number
    from {{ ref('fct_deals') }}
    where is_won and client_id is not null
),

first_won_clients as (
    select * from first_wins
    where win_number = 1
),

entity_first_wins as (
    {{ kpi_entity_rows('first_won_clients', ['client_id', 'closed_date']) }}
),

cohorts as (
    select
        entity_first_wins.entity_type,
        entity_first_wins.entity_id,
        day_periods.period_grain,
        day_periods.period_start,
        entity_first_wins.client_id
    from entity_first_wins
    inner join {{ ref('int_kpi__day_periods') }} as day_periods
        on entity_first_wins.closed_date = day_periods.date_day
    where day_periods.period_grain in ('month', 'quarter', 'year')
),

first_payment_months as (
    select
        client_id,
        cast({{ dbt.date_trunc('month', 'min(paid_date)') }} as date) as first_payment_month
    from {{ ref('fct_payments') }}
    where amount > 0
    group by client_id
),

client_monthly_profit as (
    select
        client_id,
        cast({{ dbt.date_trunc('month', 'issued_date') }} as date) as profit_month,
        sum(line_gross_profit_reporting) as gross_profit
    from {{ ref('fct_invoice_lines') }}
    where not is_cancelled and client_id is not null
    group by client_id, cast({{ dbt.date_trunc('month', 'issued_date') }} as date)
),

cohort_targets as (
    select
        cohorts.entity_type,
        cohorts.entity_id,
        cohorts.period_grain,
        cohorts.period_start,
        count(*) as cohort_customers,
        min(first_payment_months.first_payment_month) as payback_start_month
    from cohorts
    left join first_payment_months
        on cohorts.client_id = first_payment_months.client_id
    group by cohorts.entity_type, cohorts.entity_id, cohorts.period_grain, cohorts.period_start
),

acquisition_costs as (
    select
        entity_type,
        entity_id,
        period_grain,
        period_start,
        {{ decimal_ratio('cost_of_sales', 'new_customers') }} as customer_acquisition_cost
    from {{ ref('int_kpi__period_measures') }}
    where period_grain in ('month', 'quarter', 'year')
),

cohort_monthly_profit as (
    select
        cohorts.entity_type,
        cohorts.entity_id,
        cohorts.period_grain,
        cohorts.period_start,
        client_monthly_profit.profit_month,
        sum(client_monthly_profit.gross_profit) as gross_profit
    from cohorts
    inner join client_monthly_profit
        on cohorts.client_id = client_monthly_profit.client_id
    group by
        cohorts.entity_type,
        cohorts.entity_id,
        cohorts.period_grain,
        cohorts.period_start,
        client_monthly_profit.profit_month
),

cumulative_profit as (
    select
        *,
        sum(gross_profit) over (
            partition by entity_type, entity_id, period_grain, period_start
            order by profit_month
            rows between unbounded preceding and current row
        ) as cumulative_gross_profit
    from cohort_monthly_profit
),

payback_months as (
    select
        cohort_targets.entity_type,
        cohort_targets.entity_id,
        cohort_targets.period_grain,
        cohort_targets.period_start,
        min(cumulative_profit.profit_month) as payback_month
    from cohort_targets
    inner join acquisition_costs
        on
            cohort_targets.entity_type = acquisition_costs.entity_type
            and cohort_targets.entity_id = acquisition_costs.entity_id
            and cohort_targets.period_grain = acquisition_costs.period_grain
            and cohort_targets.period_start = acquisition_costs.period_start
    inner join cumulative_profit
        on
            cohort_targets.entity_type = cumulative_profit.entity_type
            and cohort_targets.entity_id = cumulative_profit.entity_id
            and cohort_targets.period_grain = cumulative_profit.period_grain
            and cohort_targets.period_start = cumulative_profit.period_start
    where
        cumulative_profit.cumulative_gross_profit
        >= acquisition_costs.customer_acquisition_cost * cohort_targets.cohort_customers
    group by
        cohort_targets.entity_type,
        cohort_targets.entity_id,
        cohort_targets.period_grain,
        cohort_targets.period_start
)

select
    cohort_targets.entity_type,
    cohort_targets.entity_id,
    cohort_targets.period_grain,
    cohort_targets.period_start,
    cohort_targets.cohort_customers,
    cohort_targets.payback_start_month,
    -- Cumulative profit that covered the cost before the first payment pays back in
    -- month 1. A cohort that never paid, or never reached the target, has no payback
    -- (greatest() would skip the missing month and say 1).
    case
        when
            cohort_targets.payback_start_month is not null
            and payback_months.payback_month is not null
            then greatest(payback_months.payback_month, cohort_targets.payback_start_month)
    end as payback_month,
    case
        when
            cohort_targets.payback_start_month is not null
            and payback_months.payback_month is not null
            then {{ dbt.datediff(
                'cohort_targets.payback_start_month',
                'greatest(payback_months.payback_month, cohort_targets.payback_start_month)',
                'month'
            ) }} + 1
    end as payback_months
from cohort_targets
left join payback_months
    on
        cohort_targets.entity_type = payback_months.entity_type
        and cohort_targets.entity_id = payback_months.entity_id
        and cohort_targets.period_grain = payback_months.period_grain
        and cohort_targets.period_start = payback_months.period_start
