-- Every contract id ever delivered in finance/contracts, trimmed as staging trims it: the
-- raw suites resolve references against all versions delivered, not only the newest.
select distinct trim(contract_id) as contract_id
from raw.finance__contracts
