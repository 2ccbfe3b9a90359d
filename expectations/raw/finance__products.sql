-- The price list: each product with its prices and whether its currency has any rate.
-- Read from the shared views of ../_views/: first_fx_rate_dates.
with
-- the rows of raw.finance__products, ids and codes as staging cleans them
products as (
    select
        trim(product_id) as product_id,
        list_price,
        unit_cost,
        upper(trim(currency)) as currency,
        _file_id,
        _source_file
    from raw.finance__products
),

-- product_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        product_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from products
    group by product_id
    having count(*) > 1
)

select
    products.product_id,
    products.list_price,
    products.unit_cost,
    products.currency,
    case
        when products._file_id > repeated_rows.first_file_id
            then
                products._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery,
    case
        when
            products.currency <> ${reporting_currency}
            and first_fx_rate_dates.first_rate_date is null
            then products.currency || ' has no rate in finance/fx_rates'
    end as missing_fx_rate
from products
left join repeated_rows
    on products.product_id = repeated_rows.product_id
left join first_fx_rate_dates
    on products.currency = first_fx_rate_dates.currency
