-- Sales teams with their head of sales and current headcount.
with teams as (
    select * from {{ ref('stg_crm__teams') }}
),

current_managers as (
    select * from {{ ref('dim_managers_current') }}
),

headcount as (
    select
        team_id,
        count(*) as managers_employed
    from current_managers
    where is_employed
    group by team_id
)

select
    teams.team_id,
    teams.team_name,
    teams.head_manager_id,
    heads.manager_name as head_manager_name,
    coalesce(headcount.managers_employed, 0) as managers_employed
from teams
left join current_managers as heads
    on teams.head_manager_id = heads.manager_id
left join headcount
    on teams.team_id = headcount.team_id
