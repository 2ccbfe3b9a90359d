-- fct_contracts with the checks of its money: whether each amount in the reporting
-- currency is missing or differs from the original × fx_rate rounded to the kopeck,
-- the rate of rows already in the reporting currency, and the row's own
-- consistency flags.
select
    contract_id,
    deal_id,
    signed_on,
    amount,
    fx_rate,
    amount is not null and amount_reporting is null
        as amount_reporting_is_missing,
    amount_reporting
    - cast(round(cast(amount as decimal(38, 10)) * fx_rate, 2) as decimal(18, 2))
        as amount_reporting_conversion_error,
    case when currency = ${reporting_currency} then fx_rate end
        as reporting_currency_rate,
    valid_to is null or valid_to >= valid_from as is_valid_term
from marts.fct_contracts
