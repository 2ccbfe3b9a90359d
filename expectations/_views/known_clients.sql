-- Every client id ever delivered in crm/clients, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(client_id) as client_id
from raw.crm__clients
