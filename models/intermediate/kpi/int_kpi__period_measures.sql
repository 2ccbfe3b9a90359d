-- The additive parts of int_kpi__daily_measures summed per entity (manager, team,
-- channel, company) and period of every grain. Days are summed per entity first, so
-- that the grains roll up from a few hundred thousand entity-days.
with daily_measures as (
    select * from {{ ref('int_kpi__daily_measures') }}
),

entity_rows as (
    {{ kpi_entity_rows('daily_measures', ['measure_date'] + kpi_measures().keys() | list) }}
),

entity_days as (
    select
        entity_type,
        entity_id,
        measure_date,
        {{ sum_kpi_measures() }}
    from entity_rows
    group by entity_type, entity_id, measure_date
)

select
    entity_days.entity_type,
    entity_days.entity_id,
    day_periods.period_grain,
    day_periods.period_start,
    min(entity_days.measure_date) as first_measure_date,
    max(entity_days.measure_date) as last_measure_date,
    {{ sum_kpi_measures('entity_days') }}
from entity_days
inner join {{ ref('int_kpi__day_periods') }} as day_periods
    on entity_days.measure_date = day_periods.date_day
group by
    entity_days.entity_type,
    entity_days.entity_id,
    day_periods.period_grain,
    day_periods.period_start
