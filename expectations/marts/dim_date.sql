-- dim_date with, per day, the days since the previous row and whether the day lies
-- inside the week, month, fiscal quarter and fiscal year it names.
select
    date_day,
    datediff('day', lag(date_day) over (order by date_day), date_day) as days_since_previous,
    date_day between iso_week_start and iso_week_end
    and isodow(iso_week_start) = 1
    and iso_week_end = iso_week_start + 6 as is_in_its_iso_week,
    date_day between month_start and month_end
    and day(month_start) = 1 as is_in_its_month,
    date_day between fiscal_quarter_start and fiscal_quarter_end
    and date_diff('month', fiscal_quarter_start, fiscal_quarter_end + 1) = 3
        as is_in_its_fiscal_quarter,
    date_day between fiscal_year_start and fiscal_year_end
    and date_diff('month', fiscal_year_start, fiscal_year_end + 1) = 12 as is_in_its_fiscal_year,
    is_working_day,
    day_kind
from marts.dim_date
