with source_rows as (
    select * from {{ source('finance', 'sales_expenses') }}
),

cleaned as (
    select
        trim(expense_id) as expense_id,
        expense_month,
        trim(manager_id) as manager_id,
        lower(trim(channel_code)) as channel_code,
        lower(trim(category)) as expense_category,
        amount,
        upper(trim(currency)) as currency,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['expense_id'], versioned=false) }}
