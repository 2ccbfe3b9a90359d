-- fct_deals with the checks of its money: whether each amount in the reporting
-- currency is missing or differs from the original × fx_rate rounded to the kopeck,
-- the rate of rows already in the reporting currency, and the row's own
-- consistency flags.
select
    deal_id,
    manager_id,
    team_id,
    channel_code,
    stage_code,
    deal_status,
    created_date,
    amount,
    fx_rate,
    amount is not null and amount_reporting is null
        as amount_reporting_is_missing,
    amount_reporting
    - cast(round(cast(amount as decimal(38, 10)) * fx_rate, 2) as decimal(18, 2))
        as amount_reporting_conversion_error,
    case when currency = ${reporting_currency} then fx_rate end
        as reporting_currency_rate,
    is_won = (deal_status = 'won')
    and is_lost = (deal_status = 'lost')
    and is_open = (deal_status = 'open') as are_status_flags_consistent,
    (closed_at is null) = (deal_status = 'open') as is_closed_iff_not_open,
    closed_at is null or closed_at >= created_at as is_closed_after_created,
    lost_reason_code is null or deal_status = 'lost' as has_lost_reason_only_if_lost,
    closed_at is null or closed_team_id is not null as has_team_at_close
from marts.fct_deals
