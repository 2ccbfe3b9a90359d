-- Every team id ever delivered in crm/teams, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(team_id) as team_id
from raw.crm__teams
