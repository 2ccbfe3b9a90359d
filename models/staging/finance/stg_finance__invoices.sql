with source_rows as (
    select * from {{ source('finance', 'invoices') }}
),

cleaned as (
    select
        trim(invoice_id) as invoice_id,
        trim(contract_id) as contract_id,
        trim(deal_id) as deal_id,
        trim(client_id) as client_id,
        issued_at,
        due_on,
        amount,
        upper(trim(currency)) as currency,
        lower(trim(status)) as invoice_status,
        updated_at,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['invoice_id']) }}
