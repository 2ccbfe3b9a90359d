with source_rows as (
    select * from {{ source('finance', 'products') }}
),

cleaned as (
    select
        trim(product_id) as product_id,
        trim(name) as product_name,
        trim(category) as product_category,
        list_price,
        unit_cost,
        upper(trim(currency)) as currency,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['product_id'], versioned=false) }}
