-- Every reporting period of every grain, with the neighbours the KPIs compare
-- against: the previous period (retention), the next one (pipeline coverage) and the
-- same period a year earlier (key-account growth). Quarters and years are fiscal;
-- weeks are ISO weeks starting on Monday. Plans and expenses are monthly, so only
-- month, quarter and year periods have them.
with periods as (
    select distinct
        period_grain,
        period_start,
        period_end
    from {{ ref('int_kpi__day_periods') }}
)

select
    period_grain,
    period_start,
    period_end,
    cast(case period_grain
        when 'day' then {{ dbt.dateadd('day', -1, 'period_start') }}
        when 'week' then {{ dbt.dateadd('day', -7, 'period_start') }}
        when 'month' then {{ dbt.dateadd('month', -1, 'period_start') }}
        when 'quarter' then {{ dbt.dateadd('month', -3, 'period_start') }}
        else {{ dbt.dateadd('month', -12, 'period_start') }}
    end as date) as previous_period_start,
    cast({{ dbt.dateadd('day', 1, 'period_end') }} as date) as next_period_start,
    cast(case period_grain
        when 'day' then {{ dbt.dateadd('year', -1, 'period_start') }}
        when 'week' then {{ dbt.dateadd('day', -364, 'period_start') }}
        else {{ dbt.dateadd('month', -12, 'period_start') }}
    end as date) as year_earlier_period_start,
    period_grain in ('month', 'quarter', 'year') as has_monthly_inputs
from periods
