-- Every deal id ever delivered in crm/deals, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(deal_id) as deal_id
from raw.crm__deals
