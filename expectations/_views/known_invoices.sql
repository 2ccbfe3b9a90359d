-- Every invoice id ever delivered in finance/invoices, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(invoice_id) as invoice_id
from raw.finance__invoices
