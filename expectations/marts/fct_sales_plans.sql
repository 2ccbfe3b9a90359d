-- fct_sales_plans with the checks of its money: whether each amount in the reporting
-- currency is missing or differs from the original × fx_rate rounded to the kopeck,
-- the rate of rows already in the reporting currency, and the row's own
-- consistency flags.
select
    plan_key,
    manager_id,
    plan_month,
    revenue_plan,
    deals_plan,
    margin_plan,
    fx_rate,
    revenue_plan is not null and revenue_plan_reporting is null
        as revenue_plan_reporting_is_missing,
    revenue_plan_reporting
    - cast(round(cast(revenue_plan as decimal(38, 10)) * fx_rate, 2) as decimal(18, 2))
        as revenue_plan_reporting_conversion_error,
    margin_plan is not null and margin_plan_reporting is null
        as margin_plan_reporting_is_missing,
    margin_plan_reporting
    - cast(round(cast(margin_plan as decimal(38, 10)) * fx_rate, 2) as decimal(18, 2))
        as margin_plan_reporting_conversion_error,
    case when currency = ${reporting_currency} then fx_rate end
        as reporting_currency_rate,
    plan_month = date_trunc('month', plan_month) as is_first_of_month
from marts.fct_sales_plans
