-- Every payment of staging reaches fct_payments exactly once with its amount: the
-- revenue KPIs start from this fact. Returns the currencies that do not reconcile.
with staged_payments as (
    select
        currency,
        count(*) as payment_count,
        sum(amount) as total_amount
    from {{ ref('stg_finance__payments') }}
    group by currency
),

fact_payments as (
    select
        currency,
        count(*) as payment_count,
        sum(amount) as total_amount
    from {{ ref('fct_payments') }}
    group by currency
)

select
    coalesce(staged_payments.currency, fact_payments.currency) as currency,
    staged_payments.payment_count as staged_payment_count,
    fact_payments.payment_count as fact_payment_count,
    staged_payments.total_amount as staged_total_amount,
    fact_payments.total_amount as fact_total_amount
from staged_payments
full outer join fact_payments
    on staged_payments.currency = fact_payments.currency
where
    staged_payments.payment_count is distinct from fact_payments.payment_count
    or staged_payments.total_amount is distinct from fact_payments.total_amount
