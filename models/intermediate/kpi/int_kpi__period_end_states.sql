-- The open pipeline, CRM hygiene and overdue tasks at the end of every period, per
-- entity: the daily state of the period's last day. The team is the manager's team
-- at that moment. A period that ends after the last day states are kept for (an ISO
-- week across the last fiscal year's end) takes the state of that day.
with calendar_end as (
    select {{ kpi_state_horizon() }} as last_day
),

period_end_rows as (
    select
        periods.period_grain,
        periods.period_start,
        states.manager_id,
        states.team_id,
        states.channel_code,
        states.open_deals,
        states.pipeline_amount,
        states.weighted_pipeline_amount,
        states.hygienic_deals,
        states.overdue_tasks
    from {{ ref('int_kpi__daily_open_state') }} as states
    cross join calendar_end
    inner join {{ ref('int_kpi__periods') }} as periods
        on states.state_date = least(periods.period_end, calendar_end.last_day)
),

entity_rows as (
    {{ kpi_entity_rows('period_end_rows', [
        'period_grain', 'period_start', 'open_deals', 'pipeline_amount',
        'weighted_pipeline_amount', 'hygienic_deals', 'overdue_tasks'
    ]) }}
)

select
    entity_type,
    entity_id,
    period_grain,
    period_start,
    sum(open_deals) as open_deals,
    sum(pipeline_amount) as pipeline_amount,
    sum(weighted_pipeline_amount) as weighted_pipeline_amount,
    sum(hygienic_deals) as hygienic_deals,
    sum(overdue_tasks) as overdue_tasks
from entity_rows
group by entity_type, entity_id, period_grain, period_start
