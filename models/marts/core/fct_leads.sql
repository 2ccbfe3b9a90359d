{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='lead_id',
) }}

-- One row per lead in its latest state, with the team its manager was in when the
-- lead came in.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'leads', 'lead_id') }}
    union
    select candidates.lead_id
    from {{ ref('stg_crm__leads') }} as candidates
    where {{ parent_changed('candidates.manager_id', 'crm', 'managers') }}
),
{% endif %}

leads as (
    select * from {{ ref('stg_crm__leads') }}
    {% if is_incremental() %}
        where lead_id in (select changed_key from changed_keys)
    {% endif %}
),

leads_enriched as (
    select
        leads.lead_id,
        leads.channel_code,
        leads.lead_source,
        leads.manager_id,
        manager_at_creation.team_id,
        leads.client_id,
        leads.deal_id,
        leads.lead_status,
        leads.qualified_at is not null as is_qualified,
        leads.converted_at is not null as is_converted,
        leads.created_at,
        {{ to_local_date('leads.created_at') }} as created_date,
        leads.qualified_at,
        {{ to_local_date('leads.qualified_at') }} as qualified_date,
        leads.converted_at,
        {{ to_local_date('leads.converted_at') }} as converted_date,
        leads.updated_at
    from leads
    {{ join_manager_version_at('leads.manager_id', 'leads.created_at', 'manager_at_creation') }}
)

{{ with_tombstones('leads_enriched', 'lead_id') }}
