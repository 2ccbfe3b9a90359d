{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='change_id',
) }}

-- Incremental: a run re-reads only the records with a version or a deletion loaded
-- since the last one, so the facts on top read a table, not a dedupe of every version.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'deal_stage_changes', 'change_id') }}
),
{% endif %}

source_rows as (
    select * from {{ source('crm', 'deal_stage_changes') }}
    {% if is_incremental() %}
        where trim(change_id) in (select changed_key from changed_keys)
    {% endif %}
),

cleaned as (
    select
        trim(change_id) as change_id,
        trim(deal_id) as deal_id,
        lower(trim(from_stage)) as from_stage,
        lower(trim(to_stage)) as to_stage,
        changed_at,
        trim(manager_id) as manager_id,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
),

newest_versions as (
    {{ newest_live_versions('cleaned', ['change_id'], versioned=false, deletable=true) }}
)

{{ with_tombstones('newest_versions', 'change_id') }}
