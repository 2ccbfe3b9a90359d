-- The first and last local dates any business event falls on: the range dim_date
-- and the daily exchange rates cover. Fact-sized tables are scanned once each.
with event_dates as (
    select
        min({{ to_local_date('created_at') }}) as first_date,
        max({{ to_local_date('created_at') }}) as last_date
    from {{ ref('stg_crm__leads') }}
    union all
    select
        min({{ to_local_date('created_at') }}) as first_date,
        max({{ to_local_date('coalesce(closed_at, created_at)') }}) as last_date
    from {{ ref('stg_crm__deals') }}
    union all
    select
        min({{ to_local_date('created_at') }}) as first_date,
        max({{ to_local_date('coalesce(occurred_at, created_at)') }}) as last_date
    from {{ ref('stg_crm__activities') }}
    union all
    select
        min({{ to_local_date('created_at') }}) as first_date,
        max({{ to_local_date('greatest(due_at, coalesce(completed_at, due_at))') }}) as last_date
    from {{ ref('stg_crm__tasks') }}
    union all
    select
        min({{ to_local_date('paid_at') }}) as first_date,
        max({{ to_local_date('paid_at') }}) as last_date
    from {{ ref('stg_finance__payments') }}
    union all
    select
        min({{ to_local_date('issued_at') }}) as first_date,
        max({{ to_local_date('issued_at') }}) as last_date
    from {{ ref('stg_finance__invoices') }}
    union all
    select
        min({{ to_local_date('sent_at') }}) as first_date,
        max({{ to_local_date('coalesce(reviewed_at, sent_at)') }}) as last_date
    from {{ ref('stg_crm__proposals') }}
    union all
    select
        min({{ to_local_date('responded_at') }}) as first_date,
        max({{ to_local_date('responded_at') }}) as last_date
    from {{ ref('stg_crm__surveys') }}
    union all
    select
        min(signed_on) as first_date,
        max(signed_on) as last_date
    from {{ ref('stg_finance__contracts') }}
    union all
    select
        min(plan_month) as first_date,
        max({{ dbt.last_day('plan_month', 'month') }}) as last_date
    from {{ ref('stg_finance__sales_plans') }}
    union all
    select
        min(expense_month) as first_date,
        max({{ dbt.last_day('expense_month', 'month') }}) as last_date
    from {{ ref('stg_finance__sales_expenses') }}
    union all
    select
        min(rate_date) as first_date,
        max(rate_date) as last_date
    from {{ ref('stg_finance__fx_rates') }}
)

select
    cast(min(first_date) as date) as first_date,
    cast(max(last_date) as date) as last_date
from event_dates
