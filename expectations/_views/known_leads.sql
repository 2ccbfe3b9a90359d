-- Every lead id ever delivered in crm/leads, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(lead_id) as lead_id
from raw.crm__leads
