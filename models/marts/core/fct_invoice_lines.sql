-- One row per invoice line: revenue, cost and gross profit of what was sold, in the
-- invoice currency and converted at the rate of the invoice's issue date. Each
-- converted column is rounded once from its own exact value.
with invoice_lines as (
    select
        *,
        {{ wide_decimal('quantity') }} * unit_price as exact_revenue,
        {{ wide_decimal('quantity') }} * unit_cost as exact_cost
    from {{ ref('stg_finance__invoice_lines') }}
),

invoices as (
    select * from {{ ref('fct_invoices') }}
)

select
    invoice_lines.line_id,
    invoice_lines.invoice_id,
    invoice_lines.product_id,
    invoices.deal_id,
    invoices.client_id,
    invoices.manager_id,
    invoices.team_id,
    invoices.channel_code,
    invoices.invoice_status,
    invoices.is_cancelled,
    invoices.issued_at,
    invoices.issued_date,
    invoice_lines.quantity,
    invoice_lines.unit_price,
    invoice_lines.unit_cost,
    invoices.currency,
    invoices.fx_rate,
    {{ money('round(invoice_lines.exact_revenue, 2)') }} as line_revenue,
    {{ money('round(invoice_lines.exact_cost, 2)') }} as line_cost,
    {{ money('round(invoice_lines.exact_revenue - invoice_lines.exact_cost, 2)') }}
        as line_gross_profit,
    {{ to_reporting_currency('invoice_lines.exact_revenue', 'invoices.fx_rate') }}
        as line_revenue_reporting,
    {{ to_reporting_currency('invoice_lines.exact_cost', 'invoices.fx_rate') }}
        as line_cost_reporting,
    {{ to_reporting_currency(
        'invoice_lines.exact_revenue - invoice_lines.exact_cost', 'invoices.fx_rate'
    ) }} as line_gross_profit_reporting
from invoice_lines
left join invoices
    on invoice_lines.invoice_id = invoices.invoice_id
