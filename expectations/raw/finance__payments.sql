-- Payments and refunds, each with its invoice resolved (newest version) and whether its currency
-- has a rate on the day it was paid.
-- Read from the shared views of ../_views/: clock_with_skew, first_fx_rate_dates.
with
-- the rows of raw.finance__payments, ids and codes as staging cleans them
payments as (
    select
        trim(payment_id) as payment_id,
        paid_at,
        amount,
        upper(trim(currency)) as currency,
        trim(invoice_id) as invoice_id,
        _file_id,
        _source_file
    from raw.finance__payments
),

-- each invoice's issue time, from its newest version
invoices as (
    select
        trim(invoice_id) as invoice_id,
        arg_max(issued_at, updated_at) as issued_at
    from raw.finance__invoices
    group by trim(invoice_id)
),

-- payment_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        payment_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from payments
    group by payment_id
    having count(*) > 1
)

select
    payments.payment_id,
    payments.paid_at,
    payments.amount,
    case
        when invoices.invoice_id is null
            then payments.invoice_id
    end as unknown_invoice_id,
    invoices.issued_at as invoice_issued_at,
    case
        when
            payments.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(payments.paid_at as date)
            )
            then
                payments.currency || ' has no rate on or before '
                || cast(payments.paid_at as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when payments._file_id > repeated_rows.first_file_id
            then
                payments._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery,
    case
        when payments.paid_at > clock_with_skew.latest_allowed
            then 'paid_at ' || payments.paid_at || ' is in the future'
    end as in_the_future
from payments
left join invoices
    on payments.invoice_id = invoices.invoice_id
left join first_fx_rate_dates
    on payments.currency = first_fx_rate_dates.currency
left join repeated_rows
    on payments.payment_id = repeated_rows.payment_id
cross join clock_with_skew
