-- Medians per entity and period, computed at every grain from the rows (a median of
-- medians is not a median): the sales cycle of the deals won and the response time
-- of the inbound leads created in the period.
with cycles as (
    select
        closed_date as event_date,
        manager_id,
        team_id,
        channel_code,
        cast(sales_cycle_days as {{ api.Column.translate_type('double') }}) as sales_cycle_days,
        cast(null as {{ api.Column.translate_type('double') }}) as response_minutes
    from {{ ref('int_kpi__deal_cycles') }}
    union all
    select
        created_date as event_date,
        manager_id,
        team_id,
        channel_code,
        cast(null as {{ api.Column.translate_type('double') }}) as sales_cycle_days,
        cast(response_minutes as {{ api.Column.translate_type('double') }}) as response_minutes
    from {{ ref('int_kpi__lead_responses') }}
    where not is_unanswered
),

entity_rows as (
    {{ kpi_entity_rows('cycles', ['event_date', 'sales_cycle_days', 'response_minutes']) }}
)

select
    entity_rows.entity_type,
    entity_rows.entity_id,
    day_periods.period_grain,
    day_periods.period_start,
    median(entity_rows.sales_cycle_days) as sales_cycle_days_median,
    median(entity_rows.response_minutes) as lead_response_minutes
from entity_rows
inner join {{ ref('int_kpi__day_periods') }} as day_periods
    on entity_rows.event_date = day_periods.date_day
group by
    entity_rows.entity_type,
    entity_rows.entity_id,
    day_periods.period_grain,
    day_periods.period_start
