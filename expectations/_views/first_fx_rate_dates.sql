-- The first day each currency has a rate in finance/fx_rates: an amount in another
-- currency than the reporting one can only be converted from that day on.
select
    upper(trim(currency)) as currency,
    min(rate_date) as first_rate_date
from raw.finance__fx_rates
group by upper(trim(currency))
