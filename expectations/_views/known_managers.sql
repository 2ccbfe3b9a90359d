-- Every manager id ever delivered in crm/managers, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(manager_id) as manager_id
from raw.crm__managers
