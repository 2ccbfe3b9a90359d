{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='activity_id',
) }}

-- One row per activity (call, e-mail, meeting, presentation, message). Its channel is
-- its deal's, else its lead's, else `unattributed`; so a change of a deal or a lead
-- rebuilds that deal's or lead's activities.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'activities', 'activity_id') }}
    union
    select candidates.activity_id
    from {{ ref('stg_crm__activities') }} as candidates
    where
        {{ parent_changed('candidates.manager_id', 'crm', 'managers') }}
        or {{ parent_changed('candidates.deal_id', 'crm', 'deals') }}
        or {{ parent_changed('candidates.lead_id', 'crm', 'leads') }}
),
{% endif %}

activities as (
    select
        *,
        coalesce(occurred_at, created_at) as event_at
    from {{ ref('stg_crm__activities') }}
    {% if is_incremental() %}
        where activity_id in (select changed_key from changed_keys)
    {% endif %}
),

deals as (
    select
        deal_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
),

leads as (
    select
        lead_id,
        channel_code
    from {{ ref('stg_crm__leads') }}
),

activities_enriched as (
    select
        activities.activity_id,
        activities.activity_type,
        activities.direction,
        activities.activity_status,
        activities.purpose,
        activities.manager_id,
        manager_at_event.team_id,
        coalesce(deals.channel_code, leads.channel_code, 'unattributed') as channel_code,
        activities.client_id,
        activities.lead_id,
        activities.deal_id,
        activities.with_decision_maker,
        activities.activity_status = 'completed' as is_completed,
        activities.created_at,
        {{ to_local_date('activities.created_at') }} as created_date,
        activities.occurred_at,
        {{ to_local_date('activities.occurred_at') }} as occurred_date,
        activities.event_at,
        {{ to_local_date('activities.event_at') }} as event_date,
        activities.duration_sec,
        activities.updated_at
    from activities
    left join deals
        on activities.deal_id = deals.deal_id
    left join leads
        on activities.lead_id = leads.lead_id
    {{ join_manager_version_at(
        'activities.manager_id', 'activities.event_at', 'manager_at_event'
    ) }}
)

{{ with_tombstones('activities_enriched', 'activity_id') }}
