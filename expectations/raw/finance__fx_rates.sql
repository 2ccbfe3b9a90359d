-- Exchange rates: one row per (rate_date, currency) delivered, with the
-- day-over-day change of each currency's rate.
-- Read from the shared views of ../_views/: clock_with_skew.
with
-- the rows of raw.finance__fx_rates, ids and codes as staging cleans them
rates as (
    select
        rate_date,
        upper(trim(currency)) as currency,
        rate_to_base,
        _file_id,
        _source_file
    from raw.finance__fx_rates
),

-- rate_date, currency delivered more than once, and the file that brought it first
repeated_rows as (
    select
        rate_date,
        currency,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from rates
    group by rate_date, currency
    having count(*) > 1
)

select
    rates.rate_date,
    rates.currency,
    rates.rate_to_base,
    case
        when rates._file_id > repeated_rows.first_file_id
            then
                rates._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery,
    case
        when rates.rate_date > clock_with_skew.latest_allowed
            then 'rate_date ' || rates.rate_date || ' is in the future'
    end as in_the_future,
    rates.rate_to_base / lag(rates.rate_to_base) over (
        partition by rates.currency order by rates.rate_date, rates._file_id
    ) as change_from_previous_rate
from rates
left join repeated_rows
    on
        rates.rate_date = repeated_rows.rate_date
        and rates.currency = repeated_rows.currency
cross join clock_with_skew
