with source_rows as (
    select * from {{ source('finance', 'payments') }}
),

cleaned as (
    select
        trim(payment_id) as payment_id,
        trim(invoice_id) as invoice_id,
        paid_at,
        amount,
        upper(trim(currency)) as currency,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['payment_id'], versioned=false) }}
