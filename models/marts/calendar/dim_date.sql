-- The date dimension: one row per day over whole fiscal years, from the first day of the
-- fiscal year of the earliest business event to the last day of the fiscal year of the
-- latest one, so that every month, fiscal quarter and fiscal year is complete. Working
-- days come from the Russian production calendar (seed work_calendar); a day outside its
-- years is a working day when it is Monday to Friday.
with date_bounds as (
    select
        {{ fiscal_period_start('year', 'first_date') }} as spine_start,
        {{ fiscal_period_end('year', 'last_date') }} as spine_end
    from {{ ref('int_date_bounds') }}
),

days as (
    {{ date_series(
        '(select spine_start from date_bounds)', '(select spine_end from date_bounds)'
    ) }}
),

day_names as (
    select
        weekdays.day_of_week,
        weekdays.day_name_en,
        weekdays.day_name_ru
    from (
        values
        (1, 'Monday', 'Понедельник'),
        (2, 'Tuesday', 'Вторник'),
        (3, 'Wednesday', 'Среда'),
        (4, 'Thursday', 'Четверг'),
        (5, 'Friday', 'Пятница'),
        (6, 'Saturday', 'Суббота'),
        (7, 'Sunday', 'Воскресенье')
    ) as weekdays (day_of_week, day_name_en, day_name_ru)
),

month_names as (
    select
        months.month_of_year,
        months.month_name_en,
        months.month_name_ru
    from (
        values
        (1, 'January', 'Январь'),
        (2, 'February', 'Февраль'),
        (3, 'March', 'Март'),
        (4, 'April', 'Апрель'),
        (5, 'May', 'Май'),
        (6, 'June', 'Июнь'),
        (7, 'July', 'Июль'),
        (8, 'August', 'Август'),
        (9, 'September', 'Сентябрь'),
        (10, 'October', 'Октябрь'),
        (11, 'November', 'Ноябрь'),
        (12, 'December', 'Декабрь')
    ) as months (month_of_year, month_name_en, month_name_ru)
),

work_calendar as (
    select
        calendar_date,
        is_working_day,
        day_kind,
        holiday_name_en,
        holiday_name_ru
    from {{ ref('work_calendar') }}
),

date_parts as (
    select
        date_day,
        cast(extract(isodow from date_day) as integer) as day_of_week,
        cast(extract(day from date_day) as integer) as day_of_month,
        cast(extract(doy from date_day) as integer) as day_of_year,
        cast({{ dbt.date_trunc('week', 'date_day') }} as date) as iso_week_start,
        {{ dbt.last_day('date_day', 'week') }} as iso_week_end,
        cast(extract(isoyear from date_day) as integer) as iso_year,
        cast(extract(week from date_day) as integer) as iso_week_of_year,
        cast({{ dbt.date_trunc('month', 'date_day') }} as date) as month_start,
        {{ dbt.last_day('date_day', 'month') }} as month_end,
        cast(extract(month from date_day) as integer) as month_of_year,
        cast({{ dbt.date_trunc('quarter', 'date_day') }} as date) as quarter_start,
        {{ dbt.last_day('date_day', 'quarter') }} as quarter_end,
        cast(extract(quarter from date_day) as integer) as quarter_of_year,
        cast({{ dbt.date_trunc('year', 'date_day') }} as date) as year_start,
        {{ dbt.last_day('date_day', 'year') }} as year_end,
        cast(extract(year from date_day) as integer) as calendar_year,
        {{ fiscal_year('date_day') }} as fiscal_year,
        {{ fiscal_quarter_of_year('date_day') }} as fiscal_quarter_of_year,
        {{ fiscal_period_start('quarter', 'date_day') }} as fiscal_quarter_start,
        {{ fiscal_period_end('quarter', 'date_day') }} as fiscal_quarter_end,
        {{ fiscal_period_start('year', 'date_day') }} as fiscal_year_start,
        {{ fiscal_period_end('year', 'date_day') }} as fiscal_year_end
    from days
),

final as (
    select
        date_parts.date_day,
        date_parts.day_of_week,
        date_parts.day_of_month,
        date_parts.day_of_year,
        day_names.day_name_en,
        day_names.day_name_ru,
        date_parts.iso_week_start,
        date_parts.iso_week_end,
        date_parts.iso_year,
        date_parts.iso_week_of_year,
        date_parts.month_start,
        date_parts.month_end,
        date_parts.month_of_year,
        month_names.month_name_en,
        month_names.month_name_ru,
        date_parts.quarter_start,
        date_parts.quarter_end,
        date_parts.quarter_of_year,
        date_parts.year_start,
        date_parts.year_end,
        date_parts.calendar_year,
        date_parts.fiscal_year,
        date_parts.fiscal_quarter_of_year,
        date_parts.fiscal_quarter_start,
        date_parts.fiscal_quarter_end,
        date_parts.fiscal_year_start,
        date_parts.fiscal_year_end,
        date_parts.day_of_week >= 6 as is_weekend,
        coalesce(work_calendar.day_kind = 'holiday', false) as is_holiday,
        work_calendar.holiday_name_en,
        work_calendar.holiday_name_ru,
        coalesce(
            work_calendar.is_working_day, date_parts.day_of_week <= 5
        ) as is_working_day,
        coalesce(
            work_calendar.day_kind,
            case when date_parts.day_of_week >= 6 then 'weekend' else 'workday' end
        ) as day_kind,
        work_calendar.calendar_date is not null as is_calendar_known
    from date_parts
    inner join day_names
        on date_parts.day_of_week = day_names.day_of_week
    inner join month_names
        on date_parts.month_of_year = month_names.month_of_year
    left join work_calendar
        on date_parts.date_day = work_calendar.calendar_date
)

select * from final
