-- The price list, with prices also in the reporting currency at the latest known rate.
with products as (
    select * from {{ ref('stg_finance__products') }}
),

latest_rates as (
    select
        currency,
        rate_to_reporting
    from {{ ref('int_fx_rates_daily') }}
    qualify row_number() over (partition by currency order by rate_date desc) = 1
)

select
    products.product_id,
    products.product_name,
    products.product_category,
    products.list_price,
    products.unit_cost,
    products.currency,
    {{ to_reporting_currency('products.list_price', 'latest_rates.rate_to_reporting') }}
        as list_price_reporting,
    {{ to_reporting_currency('products.unit_cost', 'latest_rates.rate_to_reporting') }}
        as unit_cost_reporting
from products
left join latest_rates
    on products.currency = latest_rates.currency
