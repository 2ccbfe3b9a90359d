-- Paying clients per entity and period: the distinct counts behind active and repeat
-- customers and retention. They do not add up across periods or entities, so they are
-- counted at every grain from the payments themselves.
with paying_days as (
    select distinct
        paid_date,
        manager_id,
        team_id,
        channel_code,
        client_id
    from {{ ref('fct_payments') }}
    where amount > 0 and client_id is not null
),

first_paid_dates as (
    select
        client_id,
        min(paid_date) as first_paid_date
    from paying_days
    group by client_id
),

entity_paying_days as (
    {{ kpi_entity_rows('paying_days', ['paid_date', 'client_id']) }}
),

period_clients as (
    select distinct
        entity_paying_days.entity_type,
        entity_paying_days.entity_id,
        day_periods.period_grain,
        day_periods.period_start,
        entity_paying_days.client_id
    from entity_paying_days
    inner join {{ ref('int_kpi__day_periods') }} as day_periods
        on entity_paying_days.paid_date = day_periods.date_day
),

current_and_previous as (
    select
        period_clients.entity_type,
        period_clients.entity_id,
        period_clients.period_grain,
        period_clients.period_start,
        period_clients.client_id,
        first_paid_dates.first_paid_date < period_clients.period_start as is_repeat
    from period_clients
    inner join first_paid_dates
        on period_clients.client_id = first_paid_dates.client_id
),

retained as (
    select
        previous_clients.entity_type,
        previous_clients.entity_id,
        previous_clients.period_grain,
        periods.period_start,
        count(*) as previous_period_customers,
        count(current_clients.client_id) as retained_customers
    from period_clients as previous_clients
    inner join {{ ref('int_kpi__periods') }} as periods
        on
            previous_clients.period_grain = periods.period_grain
            and previous_clients.period_start = periods.previous_period_start
    left join period_clients as current_clients
        on
            previous_clients.entity_type = current_clients.entity_type
            and previous_clients.entity_id = current_clients.entity_id
            and previous_clients.period_grain = current_clients.period_grain
            and periods.period_start = current_clients.period_start
            and previous_clients.client_id = current_clients.client_id
    group by
        previous_clients.entity_type,
        previous_clients.entity_id,
        previous_clients.period_grain,
        periods.period_start
),

active as (
    select
        entity_type,
        entity_id,
        period_grain,
        period_start,
        count(*) as active_customers,
        sum(case when is_repeat then 1 else 0 end) as repeat_customers
    from current_and_previous
    group by entity_type, entity_id, period_grain, period_start
)

select
    coalesce(active.entity_type, retained.entity_type) as entity_type,
    coalesce(active.entity_id, retained.entity_id) as entity_id,
    coalesce(active.period_grain, retained.period_grain) as period_grain,
    coalesce(active.period_start, retained.period_start) as period_start,
    coalesce(active.active_customers, 0) as active_customers,
    coalesce(active.repeat_customers, 0) as repeat_customers,
    coalesce(retained.previous_period_customers, 0) as previous_period_customers,
    coalesce(retained.retained_customers, 0) as retained_customers
from active
full outer join retained
    on
        active.entity_type = retained.entity_type
        and active.entity_id = retained.entity_id
        and active.period_grain = retained.period_grain
        and active.period_start = retained.period_start
