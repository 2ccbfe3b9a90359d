{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='activity_id',
) }}

-- Incremental: a run re-reads only the records with a version or a deletion loaded
-- since the last one, so the facts on top read a table, not a dedupe of every version.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'activities', 'activity_id') }}
),
{% endif %}

source_rows as (
    select * from {{ source('crm', 'activities') }}
    {% if is_incremental() %}
        where trim(activity_id) in (select changed_key from changed_keys)
    {% endif %}
),

cleaned as (
    select
        trim(activity_id) as activity_id,
        lower(trim(type)) as activity_type,
        lower(trim(direction)) as direction,
        lower(trim(status)) as activity_status,
        lower(trim(purpose)) as purpose,
        trim(manager_id) as manager_id,
        trim(client_id) as client_id,
        trim(lead_id) as lead_id,
        trim(deal_id) as deal_id,
        with_decision_maker,
        created_at,
        occurred_at,
        duration_sec,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
),

newest_versions as (
    {{ newest_live_versions('cleaned', ['activity_id'], deletable=true) }}
)

{{ with_tombstones('newest_versions', 'activity_id') }}
