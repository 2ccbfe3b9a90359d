-- fct_invoices with the checks of its money: whether each amount in the reporting
-- currency is missing or differs from the original × fx_rate rounded to the kopeck,
-- the rate of rows already in the reporting currency, and the row's own
-- consistency flags.
select
    invoice_id,
    deal_id,
    issued_date,
    amount,
    invoice_status,
    fx_rate,
    amount is not null and amount_reporting is null
        as amount_reporting_is_missing,
    amount_reporting
    - cast(round(cast(amount as decimal(38, 10)) * fx_rate, 2) as decimal(18, 2))
        as amount_reporting_conversion_error,
    case when currency = ${reporting_currency} then fx_rate end
        as reporting_currency_rate,
    is_cancelled = (invoice_status = 'cancelled') as is_cancelled_consistent
from marts.fct_invoices
