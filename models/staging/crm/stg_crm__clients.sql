with source_rows as (
    select * from {{ source('crm', 'clients') }}
),

cleaned as (
    select
        trim(client_id) as client_id,
        trim(name) as client_name,
        trim(industry) as industry,
        lower(trim(segment)) as segment,
        is_key_account,
        is_vip,
        is_target_segment,
        lower(trim(acquisition_source)) as acquisition_source,
        trim(owner_manager_id) as owner_manager_id,
        lower(trim(email)) as email,
        trim(phone) as phone,
        created_at,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['client_id'], deletable=true) }}
