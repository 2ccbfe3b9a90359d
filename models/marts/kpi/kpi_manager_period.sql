-- Every KPI per manager and period of every grain, one column per kpi_code. team_id is
-- the manager's team at the period's end; the KPIs themselves count each event for the
-- team of its time (see kpi_team_period).
with values_by_manager as (
    select * from {{ ref('int_kpi__entity_periods') }}
    where entity_type = 'manager'
),

period_ends as (
    select distinct
        period_end,
        {{ local_day_start_utc(dbt.dateadd('day', 1, 'period_end')) }} as period_end_at
    from values_by_manager
)

select
    values_by_manager.entity_id as manager_id,
    managers.manager_name,
    managers.team_id,
    values_by_manager.period_grain,
    values_by_manager.period_start,
    values_by_manager.period_end,
    {%- for code in kpi_codes() %}
        values_by_manager.{{ code }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from values_by_manager
inner join period_ends
    on values_by_manager.period_end = period_ends.period_end
{{ join_manager_version_before(
    'values_by_manager.entity_id', 'period_ends.period_end_at', 'managers'
) }}
