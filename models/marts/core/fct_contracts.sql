-- One row per signed contract. The manager is the deal's; the amount converts at the
-- rate of the signing date.
with contracts as (
    select * from {{ ref('stg_finance__contracts') }}
),

deals as (
    select
        deal_id,
        manager_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
)

select
    contracts.contract_id,
    contracts.deal_id,
    contracts.client_id,
    deals.manager_id,
    manager_at_signing.team_id,
    deals.channel_code,
    contracts.signed_on,
    contracts.valid_from,
    contracts.valid_to,
    contracts.amount,
    contracts.currency,
    fx.rate_to_reporting as fx_rate,
    {{ to_reporting_currency('contracts.amount', 'fx.rate_to_reporting') }} as amount_reporting,
    contracts.updated_at
from contracts
left join deals
    on contracts.deal_id = deals.deal_id
{{ join_manager_version_at(
    'deals.manager_id', local_day_start_utc('contracts.signed_on'), 'manager_at_signing'
) }}
{{ join_fx_rate_on('contracts.currency', 'contracts.signed_on', 'fx') }}
