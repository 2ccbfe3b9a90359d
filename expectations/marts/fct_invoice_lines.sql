-- fct_invoice_lines with the checks of its money: whether each amount in the reporting
-- currency is missing or differs from the original × fx_rate rounded to the kopeck,
-- the rate of rows already in the reporting currency, and the row's own
-- consistency flags.
select
    line_id,
    invoice_id,
    issued_date,
    quantity,
    unit_price,
    unit_cost,
    fx_rate,
    line_revenue is not null and line_revenue_reporting is null
        as line_revenue_reporting_is_missing,
    line_revenue_reporting
    - cast(round(cast(quantity as decimal(38, 10)) * unit_price * fx_rate, 2) as decimal(18, 2))
        as line_revenue_reporting_conversion_error,
    line_cost is not null and line_cost_reporting is null
        as line_cost_reporting_is_missing,
    line_cost_reporting
    - cast(round(cast(quantity as decimal(38, 10)) * unit_cost * fx_rate, 2) as decimal(18, 2))
        as line_cost_reporting_conversion_error,
    line_gross_profit is not null and line_gross_profit_reporting is null
        as line_gross_profit_reporting_is_missing,
    line_gross_profit_reporting
    - cast(
        round(cast(quantity as decimal(38, 10)) * (unit_price - unit_cost) * fx_rate, 2)
        as decimal(18, 2)
    )
        as line_gross_profit_reporting_conversion_error,
    case when currency = ${reporting_currency} then fx_rate end
        as reporting_currency_rate
from marts.fct_invoice_lines
