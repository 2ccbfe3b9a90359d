with source_rows as (
    select * from {{ source('finance', 'contracts') }}
),

cleaned as (
    select
        trim(contract_id) as contract_id,
        trim(deal_id) as deal_id,
        trim(client_id) as client_id,
        signed_on,
        amount,
        upper(trim(currency)) as currency,
        valid_from,
        valid_to,
        updated_at,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['contract_id']) }}
