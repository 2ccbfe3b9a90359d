-- Every KPI per sales team and period of every grain, one column per kpi_code. An
-- event counts for the team its manager was in when it happened.
with values_by_team as (
    select * from {{ ref('int_kpi__entity_periods') }}
    where entity_type = 'team'
)

select
    values_by_team.entity_id as team_id,
    teams.team_name,
    values_by_team.period_grain,
    values_by_team.period_start,
    values_by_team.period_end,
    {%- for code in kpi_codes() %}
        values_by_team.{{ code }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from values_by_team
left join {{ ref('dim_teams') }} as teams
    on values_by_team.entity_id = teams.team_id
