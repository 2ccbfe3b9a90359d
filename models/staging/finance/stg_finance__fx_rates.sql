with source_rows as (
    select * from {{ source('finance', 'fx_rates') }}
),

cleaned as (
    select
        rate_date,
        upper(trim(currency)) as currency,
        rate_to_base,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['rate_date', 'currency'], versioned=false) }}
