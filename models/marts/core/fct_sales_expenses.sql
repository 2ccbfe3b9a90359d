-- Cost of sales per month: a manager's, a channel's, or company overhead (neither),
-- converted at the rate of the month's first day.
with expenses as (
    select * from {{ ref('stg_finance__sales_expenses') }}
)

select
    expenses.expense_id,
    expenses.expense_month,
    expenses.manager_id,
    manager_at_month_start.team_id,
    expenses.channel_code,
    expenses.expense_category,
    expenses.manager_id is null and expenses.channel_code is null as is_overhead,
    expenses.amount,
    expenses.currency,
    fx.rate_to_reporting as fx_rate,
    {{ to_reporting_currency('expenses.amount', 'fx.rate_to_reporting') }} as amount_reporting
from expenses
{{ join_manager_version_at(
    'expenses.manager_id', local_day_start_utc('expenses.expense_month'),
    'manager_at_month_start'
) }}
{{ join_fx_rate_on('expenses.currency', 'expenses.expense_month', 'fx') }}
