-- One row per inbound lead (channel `inbound`) with how fast it was answered: the
-- first completed outbound activity on the lead at or after its creation. A lead with
-- no such activity is unanswered.
with inbound_leads as (
    select
        lead_id,
        manager_id,
        team_id,
        channel_code,
        created_at,
        created_date
    from {{ ref('fct_leads') }}
    where channel_code = 'inbound'
),

first_responses as (
    select
        activities.lead_id,
        min(activities.event_at) as first_response_at
    from {{ ref('fct_activities') }} as activities
    inner join inbound_leads
        on activities.lead_id = inbound_leads.lead_id
    where
        activities.is_completed
        and activities.direction = 'outbound'
        and activities.event_at >= inbound_leads.created_at
    group by activities.lead_id
)

select
    inbound_leads.lead_id,
    inbound_leads.manager_id,
    inbound_leads.team_id,
    inbound_leads.channel_code,
    inbound_leads.created_at,
    inbound_leads.created_date,
    first_responses.first_response_at,
    first_responses.first_response_at is null as is_unanswered,
    {{ dbt.datediff(
        'inbound_leads.created_at', 'first_responses.first_response_at', 'second'
    ) }} / 60.0 as response_minutes
from inbound_leads
left join first_responses
    on inbound_leads.lead_id = first_responses.lead_id
