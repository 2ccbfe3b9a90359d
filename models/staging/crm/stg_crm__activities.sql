with source_rows as (
    select * from {{ source('crm', 'activities') }}
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
)

{{ newest_live_versions('cleaned', ['activity_id'], deletable=true) }}
