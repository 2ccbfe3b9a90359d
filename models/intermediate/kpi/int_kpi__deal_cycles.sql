-- One row per won deal with its sales cycle: whole days from the first contact (the
-- earliest of the deal's creation, its lead's creation and the first completed
-- activity on the lead or the deal) to the close, both as local dates.
with won_deals as (
    select
        deal_id,
        lead_id,
        manager_id,
        closed_team_id as team_id,
        channel_code,
        created_at,
        closed_date
    from {{ ref('fct_deals') }}
    where is_won
),

leads as (
    select
        lead_id,
        created_at
    from {{ ref('fct_leads') }}
),

completed_activities as (
    select
        deal_id,
        lead_id,
        event_at
    from {{ ref('fct_activities') }}
    where is_completed
),

first_activity_by_deal as (
    select
        deal_id,
        min(event_at) as first_activity_at
    from completed_activities
    where deal_id is not null
    group by deal_id
),

first_activity_by_lead as (
    select
        lead_id,
        min(event_at) as first_activity_at
    from completed_activities
    where lead_id is not null
    group by lead_id
),

first_contacts as (
    select
        won_deals.deal_id,
        won_deals.manager_id,
        won_deals.team_id,
        won_deals.channel_code,
        won_deals.closed_date,
        least(
            won_deals.created_at,
            coalesce(leads.created_at, won_deals.created_at),
            coalesce(first_activity_by_deal.first_activity_at, won_deals.created_at),
            coalesce(first_activity_by_lead.first_activity_at, won_deals.created_at)
        ) as first_contact_at
    from won_deals
    left join leads
        on won_deals.lead_id = leads.lead_id
    left join first_activity_by_deal
        on won_deals.deal_id = first_activity_by_deal.deal_id
    left join first_activity_by_lead
        on won_deals.lead_id = first_activity_by_lead.lead_id
)

select
    deal_id,
    manager_id,
    team_id,
    channel_code,
    closed_date,
    first_contact_at,
    {{ to_local_date('first_contact_at') }} as first_contact_date,
    {{ dbt.datediff(to_local_date('first_contact_at'), 'closed_date', 'day') }}
        as sales_cycle_days
from first_contacts
