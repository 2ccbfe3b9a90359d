-- Every working day of the company's calendar (seeds/work_calendar.csv) between the first
-- and the last day with activities, with the activities booked on it in the reporting
-- time zone. A working day without a single activity means that day's extract is missing
-- or partial: holidays and weekends are not working days, so they are left out, and so are
-- the Saturdays the production calendar turns into working days, which many sales teams
-- (the demo company's among them) do not work.
with activities_per_day as (
    select
        cast(timezone(${reporting_time_zone}, timezone('UTC', created_at)) as date)
            as activity_date,
        count(*) as activities
    from raw.crm__activities
    group by activity_date
),

working_days as (
    select calendar_date
    from
        read_csv(
            ${seeds_dir} || '/work_calendar.csv',
            header = true,
            columns = {
                'calendar_date': 'date',
                'is_working_day': 'boolean',
                'day_kind': 'varchar',
                'holiday_name_en': 'varchar',
                'holiday_name_ru': 'varchar'
            }
        )
    where is_working_day and isodow(calendar_date) <= 5
),

-- the first and the last day with activities
activity_span as (
    select
        min(activity_date) as first_activity_date,
        max(activity_date) as last_activity_date
    from activities_per_day
)

select
    working_days.calendar_date as working_day,
    coalesce(activities_per_day.activities, 0) as activities
from working_days
cross join activity_span
left join activities_per_day
    on working_days.calendar_date = activities_per_day.activity_date
where
    working_days.calendar_date
    between activity_span.first_activity_date and activity_span.last_activity_date
