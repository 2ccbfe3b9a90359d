with source_rows as (
    select * from {{ source('crm', 'deals') }}
),

cleaned as (
    select
        trim(deal_id) as deal_id,
        trim(lead_id) as lead_id,
        trim(client_id) as client_id,
        trim(manager_id) as manager_id,
        lower(trim(channel_code)) as channel_code,
        created_at,
        lower(trim(stage_code)) as stage_code,
        lower(trim(status)) as deal_status,
        amount,
        upper(trim(currency)) as currency,
        closed_at,
        lower(trim(lost_reason_code)) as lost_reason_code,
        is_competitive,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['deal_id'], deletable=true) }}
