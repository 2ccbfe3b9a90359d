-- Cost of sales per month, with the manager resolved and whether the expense's currency has
-- a rate in its month.
-- Read from the shared views of ../_views/: first_fx_rate_dates, known_managers.
with
-- the rows of raw.finance__sales_expenses, ids and codes as staging cleans them
expenses as (
    select
        trim(expense_id) as expense_id,
        expense_month,
        lower(trim(channel_code)) as channel_code,
        lower(trim(category)) as category,
        amount,
        upper(trim(currency)) as currency,
        trim(manager_id) as manager_id,
        _file_id,
        _source_file
    from raw.finance__sales_expenses
),

-- expense_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        expense_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from expenses
    group by expense_id
    having count(*) > 1
)

select
    expenses.expense_id,
    expenses.expense_month,
    day(expenses.expense_month) as expense_day_of_month,
    expenses.channel_code,
    expenses.category,
    expenses.amount,
    case
        when expenses.manager_id is not null and known_managers.manager_id is null
            then expenses.manager_id
    end as unknown_manager_id,
    case
        when
            expenses.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(expenses.expense_month as date)
            )
            then
                expenses.currency || ' has no rate on or before '
                || cast(expenses.expense_month as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when expenses._file_id > repeated_rows.first_file_id
            then
                expenses._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery
from expenses
left join known_managers
    on expenses.manager_id = known_managers.manager_id
left join first_fx_rate_dates
    on expenses.currency = first_fx_rate_dates.currency
left join repeated_rows
    on expenses.expense_id = repeated_rows.expense_id
