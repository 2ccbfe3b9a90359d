with source_rows as (
    select * from {{ source('crm', 'tasks') }}
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
)

{{ newest_live_versions('cleaned', ['task_id'], deletable=true) }}
