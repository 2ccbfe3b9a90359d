-- One rate per currency and day, from the currency's first rate to the last event
-- date: a day without a published rate (a weekend, a holiday, a late extract) takes
-- the latest earlier rate. The reporting currency converts at 1.
with published_rates as (
    select
        rate_date,
        currency,
        rate_to_base
    from {{ ref('stg_finance__fx_rates') }}
    where currency <> '{{ var("reporting_currency") | upper }}'
),

last_published as (
    select max(rate_date) as last_rate_date
    from published_rates
),

date_bounds as (
    select
        event_bounds.first_date,
        greatest(
            event_bounds.last_date,
            coalesce(last_published.last_rate_date, event_bounds.last_date)
        ) as last_date
    from {{ ref('int_date_bounds') }} as event_bounds
    cross join last_published
),

currency_first_days as (
    select
        currency,
        min(rate_date) as first_rate_date
    from published_rates
    group by currency
),

days as (
    {{ date_series(
        '(select least(min(first_rate_date), (select first_date from date_bounds)) '
        ~ 'from currency_first_days)',
        '(select last_date from date_bounds)'
    ) }}
),

currency_days as (
    select
        currency_first_days.currency,
        days.date_day as rate_date
    from currency_first_days
    inner join days
        on currency_first_days.first_rate_date <= days.date_day
),

filled_rates as (
    select
        currency_days.rate_date,
        currency_days.currency,
        last_value(published_rates.rate_to_base ignore nulls) over (
            partition by currency_days.currency
            order by currency_days.rate_date
            rows between unbounded preceding and current row
        ) as rate_to_reporting,
        last_value(published_rates.rate_date ignore nulls) over (
            partition by currency_days.currency
            order by currency_days.rate_date
            rows between unbounded preceding and current row
        ) as published_on
    from currency_days
    left join published_rates
        on
            currency_days.currency = published_rates.currency
            and currency_days.rate_date = published_rates.rate_date
),

reporting_currency_days as (
    select
        date_day as rate_date,
        '{{ var("reporting_currency") | upper }}' as currency,
        cast(1 as decimal(18, 8)) as rate_to_reporting,
        date_day as published_on
    from days
)

select
    rate_date,
    currency,
    cast(rate_to_reporting as decimal(18, 8)) as rate_to_reporting,
    published_on,
    rate_date <> published_on as is_filled,
    false as is_reporting_currency
from filled_rates
union all
select
    rate_date,
    currency,
    rate_to_reporting,
    published_on,
    false as is_filled,
    true as is_reporting_currency
from reporting_currency_days
