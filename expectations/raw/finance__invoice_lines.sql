-- What was sold on each invoice, with its invoice and product resolved.
-- Read from the shared views of ../_views/: known_invoices, known_products.
with
-- the rows of raw.finance__invoice_lines, ids and codes as staging cleans them
invoice_lines as (
    select
        trim(line_id) as line_id,
        quantity,
        unit_price,
        unit_cost,
        trim(invoice_id) as invoice_id,
        trim(product_id) as product_id,
        _file_id,
        _source_file
    from raw.finance__invoice_lines
),

-- line_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        line_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from invoice_lines
    group by line_id
    having count(*) > 1
)

select
    invoice_lines.line_id,
    invoice_lines.quantity,
    invoice_lines.unit_price,
    invoice_lines.unit_cost,
    case
        when invoice_lines.invoice_id is not null and known_invoices.invoice_id is null
            then invoice_lines.invoice_id
    end as unknown_invoice_id,
    case
        when invoice_lines.product_id is not null and known_products.product_id is null
            then invoice_lines.product_id
    end as unknown_product_id,
    case
        when invoice_lines._file_id > repeated_rows.first_file_id
            then
                invoice_lines._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery
from invoice_lines
left join known_invoices
    on invoice_lines.invoice_id = known_invoices.invoice_id
left join known_products
    on invoice_lines.product_id = known_products.product_id
left join repeated_rows
    on invoice_lines.line_id = repeated_rows.line_id
