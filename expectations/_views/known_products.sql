-- Every product id ever delivered in finance/products, trimmed as staging trims it: the raw suites
-- resolve references against all versions delivered, not only the newest.
select distinct trim(product_id) as product_id
from raw.finance__products
