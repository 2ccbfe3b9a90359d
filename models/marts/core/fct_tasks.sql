{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='task_id',
) }}

-- One row per CRM follow-up task.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'tasks', 'task_id') }}
    union
    select candidates.task_id
    from {{ ref('stg_crm__tasks') }} as candidates
    where {{ parent_changed('candidates.manager_id', 'crm', 'managers') }}
),
{% endif %}

tasks as (
    select * from {{ ref('stg_crm__tasks') }}
    {% if is_incremental() %}
        where task_id in (select changed_key from changed_keys)
    {% endif %}
),

tasks_enriched as (
    select
        tasks.task_id,
        tasks.deal_id,
        tasks.manager_id,
        manager_at_creation.team_id,
        tasks.completed_at is not null as is_completed,
        tasks.created_at,
        {{ to_local_date('tasks.created_at') }} as created_date,
        tasks.due_at,
        {{ to_local_date('tasks.due_at') }} as due_date,
        tasks.completed_at,
        {{ to_local_date('tasks.completed_at') }} as completed_date,
        tasks.updated_at
    from tasks
    {{ join_manager_version_at('tasks.manager_id', 'tasks.created_at', 'manager_at_creation') }}
)

{{ with_tombstones('tasks_enriched', 'task_id') }}
