with source_rows as (
    select * from {{ source('crm', 'deal_stage_changes') }}
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
)

{{ newest_live_versions('cleaned', ['change_id'], versioned=false, deletable=true) }}
