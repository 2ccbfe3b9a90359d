with source_rows as (
    select * from {{ source('finance', 'sales_plans') }}
),

cleaned as (
    select
        plan_month,
        trim(manager_id) as manager_id,
        lower(trim(channel_code)) as channel_code,
        revenue_plan,
        deals_plan,
        margin_plan,
        upper(trim(currency)) as currency,
        {{ raw_lineage_columns() }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['plan_month', 'manager_id', 'channel_code'], versioned=false) }}
