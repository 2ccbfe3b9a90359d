{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='payment_id',
) }}

-- One row per payment received (refunds negative). The manager is the one of the
-- invoice's deal, the team the one that manager was in when the money arrived, and
-- the amount converts at the rate of the payment's local date.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('finance', 'payments', 'payment_id') }}
    union
    -- The invoice, its deal (a deleted deal included) or the deal's manager changed.
    select candidates.payment_id
    from {{ ref('stg_finance__payments') }} as candidates
    where
        {{ parent_changed('candidates.invoice_id', 'finance', 'invoices') }}
        or candidates.invoice_id in (
            select invoices.invoice_id
            from {{ ref('stg_finance__invoices') }} as invoices
            left join {{ ref('stg_crm__deals') }} as deals
                on invoices.deal_id = deals.deal_id
            where
                {{ parent_changed('invoices.deal_id', 'crm', 'deals') }}
                or {{ parent_changed('deals.manager_id', 'crm', 'managers') }}
        )
    union
    {{ keys_with_changed_rate(
        ref('stg_finance__payments'), 'payment_id', 'currency',
        to_local_date('with_rate.paid_at')
    ) }}
),
{% endif %}

payments as (
    select
        *,
        {{ to_local_date('paid_at') }} as paid_date
    from {{ ref('stg_finance__payments') }}
    {% if is_incremental() %}
        where payment_id in (select changed_key from changed_keys)
    {% endif %}
),

invoices as (
    select
        invoice_id,
        deal_id,
        client_id
    from {{ ref('stg_finance__invoices') }}
),

deals as (
    select
        deal_id,
        manager_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
),

payments_enriched as (
    select
        payments.payment_id,
        payments.invoice_id,
        invoices.deal_id,
        invoices.client_id,
        deals.manager_id,
        manager_at_payment.team_id,
        deals.channel_code,
        payments.paid_at,
        payments.paid_date,
        payments.amount < 0 as is_refund,
        payments.amount,
        payments.currency,
        fx.rate_to_reporting as fx_rate,
        {{ to_reporting_currency('payments.amount', 'fx.rate_to_reporting') }} as amount_reporting
    from payments
    left join invoices
        on payments.invoice_id = invoices.invoice_id
    left join deals
        on invoices.deal_id = deals.deal_id
    {{ join_manager_version_at('deals.manager_id', 'payments.paid_at', 'manager_at_payment') }}
    {{ join_fx_rate_on('payments.currency', 'payments.paid_date', 'fx') }}
)

{{ with_tombstones('payments_enriched', 'payment_id') }}
