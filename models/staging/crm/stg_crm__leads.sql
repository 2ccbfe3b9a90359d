{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='lead_id',
) }}

-- Incremental: a run re-reads only the records with a version or a deletion loaded
-- since the last one, so the facts on top read a table, not a dedupe of every version.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'leads', 'lead_id') }}
),
{% endif %}

source_rows as (
    select * from {{ source('crm', 'leads') }}
    {% if is_incremental() %}
        where trim(lead_id) in (select changed_key from changed_keys)
    {% endif %}
),

cleaned as (
    select
        trim(lead_id) as lead_id,
        created_at,
        lower(trim(channel_code)) as channel_code,
        trim(source) as lead_source,
        trim(manager_id) as manager_id,
        trim(client_id) as client_id,
        lower(trim(status)) as lead_status,
        qualified_at,
        converted_at,
        trim(deal_id) as deal_id,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
),

newest_versions as (
    {{ newest_live_versions('cleaned', ['lead_id'], deletable=true) }}
)

{{ with_tombstones('newest_versions', 'lead_id') }}
