with source_rows as (
    select * from {{ source('finance', 'invoice_lines') }}
),

cleaned as (
    select
        trim(line_id) as line_id,
        trim(invoice_id) as invoice_id,
        trim(product_id) as product_id,
        quantity,
        unit_price,
        unit_cost,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['line_id'], versioned=false) }}
