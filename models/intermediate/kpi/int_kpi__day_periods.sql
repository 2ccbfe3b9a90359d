-- Every day of dim_date once per grain, with the period of that grain it falls in:
-- how a daily figure rolls up to weeks (ISO), months, fiscal quarters and fiscal years.
with days as (
    select
        date_day,
        iso_week_start,
        iso_week_end,
        month_start,
        month_end,
        fiscal_quarter_start,
        fiscal_quarter_end,
        fiscal_year_start,
        fiscal_year_end
    from {{ ref('dim_date') }}
)

select
    date_day,
    'day' as period_grain,
    date_day as period_start,
    date_day as period_end
from days
union all
select
    date_day,
    'week' as period_grain,
    iso_week_start as period_start,
    iso_week_end as period_end
from days
union all
select
    date_day,
    'month' as period_grain,
    month_start as period_start,
    month_end as period_end
from days
union all
select
    date_day,
    'quarter' as period_grain,
    fiscal_quarter_start as period_start,
    fiscal_quarter_end as period_end
from days
union all
select
    date_day,
    'year' as period_grain,
    fiscal_year_start as period_start,
    fiscal_year_end as period_end
from days
