with source_rows as (
    select * from {{ source('crm', 'leads') }}
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
)

{{ newest_live_versions('cleaned', ['lead_id'], deletable=true) }}
