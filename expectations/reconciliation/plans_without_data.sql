-- Every manager's overall sales plan (the row without a channel) per month, with how
-- many deals (created or closed), activities and payments the marts have for that
-- manager in that month. A plan with none of them usually means the manager is
-- missing from the CRM extract (or the plan names a manager who no longer sells).
with overall_plans as (
    select
        manager_id,
        plan_month
    from marts.fct_sales_plans
    where is_all_channels
),

manager_events as (
    select
        manager_id,
        cast(date_trunc('month', created_date) as date) as event_month
    from marts.fct_deals
    union all
    select
        manager_id,
        cast(date_trunc('month', closed_date) as date) as event_month
    from marts.fct_deals
    where closed_date is not null
    union all
    select
        manager_id,
        cast(date_trunc('month', event_date) as date) as event_month
    from marts.fct_activities
    union all
    select
        manager_id,
        cast(date_trunc('month', paid_date) as date) as event_month
    from marts.fct_payments
    where manager_id is not null
),

events_per_manager_month as (
    select
        manager_id,
        event_month,
        count(*) as crm_events
    from manager_events
    group by manager_id, event_month
)

select
    overall_plans.manager_id,
    overall_plans.plan_month,
    coalesce(events_per_manager_month.crm_events, 0) as crm_events_in_plan_month
from overall_plans
left join events_per_manager_month
    on
        overall_plans.manager_id = events_per_manager_month.manager_id
        and overall_plans.plan_month = events_per_manager_month.event_month
