-- Monthly targets per manager and channel, with the manager resolved and whether the plan's
-- currency has a rate in its month.
-- Read from the shared views of ../_views/: first_fx_rate_dates, known_managers.
with
-- the rows of raw.finance__sales_plans, ids and codes as staging cleans them
plans as (
    select
        plan_month,
        trim(manager_id) as manager_id,
        lower(trim(channel_code)) as channel_code,
        revenue_plan,
        deals_plan,
        margin_plan,
        upper(trim(currency)) as currency,
        _file_id,
        _source_file
    from raw.finance__sales_plans
),

-- plan_month, manager_id, channel_code delivered more than once, and the file that brought it first
repeated_rows as (
    select
        plan_month,
        manager_id,
        channel_code,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from plans
    group by plan_month, manager_id, channel_code
    having count(*) > 1
)

select
    plans.plan_month,
    plans.manager_id,
    plans.channel_code,
    plans.revenue_plan,
    plans.deals_plan,
    plans.margin_plan,
    day(plans.plan_month) as plan_day_of_month,
    case
        when plans.manager_id is not null and known_managers.manager_id is null
            then plans.manager_id
    end as unknown_manager_id,
    case
        when
            plans.currency <> ${reporting_currency}
            and (
                first_fx_rate_dates.first_rate_date is null
                or first_fx_rate_dates.first_rate_date > cast(plans.plan_month as date)
            )
            then
                plans.currency || ' has no rate on or before '
                || cast(plans.plan_month as date) || ' in finance/fx_rates'
    end as missing_fx_rate,
    case
        when plans._file_id > repeated_rows.first_file_id
            then
                plans._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery
from plans
left join known_managers
    on plans.manager_id = known_managers.manager_id
left join first_fx_rate_dates
    on plans.currency = first_fx_rate_dates.currency
left join repeated_rows
    on
        repeated_rows.plan_month is not distinct from plans.plan_month
        and repeated_rows.manager_id is not distinct from plans.manager_id
        and repeated_rows.channel_code is not distinct from plans.channel_code
