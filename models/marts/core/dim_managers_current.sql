-- The managers as they are now: one row per manager not deleted in the CRM, with
-- the current team. Facts carry the team at event time; this answers "who is where today".
select
    manager_id,
    manager_name,
    team_id,
    team_name,
    role,
    hired_on,
    fired_on,
    fired_on is null as is_employed,
    valid_from as current_since
from {{ ref('dim_managers') }}
where is_current and not is_deleted
