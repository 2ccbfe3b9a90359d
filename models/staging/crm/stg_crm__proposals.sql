with source_rows as (
    select * from {{ source('crm', 'proposals') }}
),

cleaned as (
    select
        trim(proposal_id) as proposal_id,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        sent_at,
        reviewed_at,
        amount,
        upper(trim(currency)) as currency,
        lower(trim(status)) as proposal_status,
        updated_at,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['proposal_id'], deletable=true) }}
