{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='task_id',
) }}

-- Incremental: a run re-reads only the records with a version or a deletion loaded
-- since the last one, so the facts on top read a table, not a dedupe of every version.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'tasks', 'task_id') }}
),
{% endif %}

source_rows as (
    select * from {{ source('crm', 'tasks') }}
    {% if is_incremental() %}
        where trim(task_id) in (select changed_key from changed_keys)
    {% endif %}
),

cleaned as (
    select
        trim(task_id) as task_id,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        created_at,
        due_at,
        completed_at,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
),

newest_versions as (
    {{ newest_live_versions('cleaned', ['task_id'], deletable=true) }}
)

{{ with_tombstones('newest_versions', 'task_id') }}
