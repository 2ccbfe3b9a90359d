-- dim_managers with whether each version starts exactly where the manager's previous
-- one ended (no gap, no overlap) and how many current versions the manager has.
with versions as (
    select
        manager_id,
        valid_from,
        valid_to,
        manager_name,
        team_id,
        role,
        is_current,
        lag(valid_to) over (partition by manager_id order by valid_from) as previous_valid_to,
        count(*) filter (where is_current) over (partition by manager_id) as current_versions
    from marts.dim_managers
)

select
    manager_id,
    valid_from,
    manager_name,
    team_id,
    role,
    valid_from < valid_to as is_valid_interval,
    previous_valid_to is null or previous_valid_to = valid_from as continues_previous_version,
    current_versions
from versions
