-- Monthly targets per manager, overall (channel_code null) and per channel, in the
-- plan currency and converted at the rate of the month's first day. The team is the
-- manager's on that day.
with plans as (
    select * from {{ ref('stg_finance__sales_plans') }}
)

select
    {{ dbt.hash(dbt.concat([
        dbt.cast('plans.plan_month', api.Column.translate_type('string')),
        "'|'",
        'plans.manager_id',
        "'|'",
        "coalesce(plans.channel_code, '')"
    ])) }} as plan_key,
    plans.plan_month,
    plans.manager_id,
    manager_at_month_start.team_id,
    plans.channel_code,
    plans.channel_code is null as is_all_channels,
    plans.revenue_plan,
    plans.deals_plan,
    plans.margin_plan,
    plans.currency,
    fx.rate_to_reporting as fx_rate,
    {{ to_reporting_currency('plans.revenue_plan', 'fx.rate_to_reporting') }}
        as revenue_plan_reporting,
    {{ to_reporting_currency('plans.margin_plan', 'fx.rate_to_reporting') }}
        as margin_plan_reporting
from plans
{{ join_manager_version_at(
    'plans.manager_id', local_day_start_utc('plans.plan_month'), 'manager_at_month_start'
) }}
{{ join_fx_rate_on('plans.currency', 'plans.plan_month', 'fx') }}
