-- One row per invoice. The manager is the deal's; the amount converts at the rate of
-- the issue date.
with invoices as (
    select
        *,
        {{ to_local_date('issued_at') }} as issued_date
    from {{ ref('stg_finance__invoices') }}
),

deals as (
    select
        deal_id,
        manager_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
)

select
    invoices.invoice_id,
    invoices.contract_id,
    invoices.deal_id,
    invoices.client_id,
    deals.manager_id,
    manager_at_issue.team_id,
    deals.channel_code,
    invoices.invoice_status,
    invoices.invoice_status = 'cancelled' as is_cancelled,
    invoices.issued_at,
    invoices.issued_date,
    invoices.due_on,
    invoices.amount,
    invoices.currency,
    fx.rate_to_reporting as fx_rate,
    {{ to_reporting_currency('invoices.amount', 'fx.rate_to_reporting') }} as amount_reporting,
    invoices.updated_at
from invoices
left join deals
    on invoices.deal_id = deals.deal_id
{{ join_manager_version_at('deals.manager_id', 'invoices.issued_at', 'manager_at_issue') }}
{{ join_fx_rate_on('invoices.currency', 'invoices.issued_date', 'fx') }}
