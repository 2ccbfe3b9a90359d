-- One row per commercial proposal (КП); the amount converts at the rate of the day
-- it was sent.
with proposals as (
    select
        *,
        {{ to_local_date('sent_at') }} as sent_date
    from {{ ref('stg_crm__proposals') }}
),

deals as (
    select
        deal_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
)

select
    proposals.proposal_id,
    proposals.deal_id,
    proposals.manager_id,
    manager_at_sending.team_id,
    deals.channel_code,
    proposals.proposal_status,
    proposals.reviewed_at is not null as is_reviewed,
    proposals.sent_at,
    proposals.sent_date,
    proposals.reviewed_at,
    {{ to_local_date('proposals.reviewed_at') }} as reviewed_date,
    proposals.amount,
    proposals.currency,
    fx.rate_to_reporting as fx_rate,
    {{ to_reporting_currency('proposals.amount', 'fx.rate_to_reporting') }} as amount_reporting,
    proposals.updated_at
from proposals
left join deals
    on proposals.deal_id = deals.deal_id
{{ join_manager_version_at('proposals.manager_id', 'proposals.sent_at', 'manager_at_sending') }}
{{ join_fx_rate_on('proposals.currency', 'proposals.sent_date', 'fx') }}
