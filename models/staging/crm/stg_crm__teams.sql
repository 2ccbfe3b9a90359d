with source_rows as (
    select * from {{ source('crm', 'teams') }}
),

cleaned as (
    select
        trim(team_id) as team_id,
        trim(team_name) as team_name,
        trim(head_manager_id) as head_manager_id,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['team_id'], deletable=true) }}
