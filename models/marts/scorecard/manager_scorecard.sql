-- The monthly manager scorecard (мотивация): for each KPI of the seed
-- scorecard_targets, the manager's actual value, its attainment of the target capped
-- at the seed's cap, and the weighted score; plus one `total` row per manager and
-- month with the sum of the weighted scores. Weights, targets and caps are reference
-- data the head of sales edits, not code.
with manager_months as (
    select
        manager_id,
        manager_name,
        team_id,
        period_start as month
    from {{ ref('kpi_manager_period') }}
    where period_grain = 'month'
),

targets as (
    select
        targets.kpi_code,
        targets.weight,
        targets.target,
        targets.cap,
        catalogue.higher_is_better
    from {{ ref('scorecard_targets') }} as targets
    inner join {{ ref('kpi_catalogue') }} as catalogue
        on targets.kpi_code = catalogue.kpi_code
),

actuals as (
    select
        kpi_code,
        entity_id as manager_id,
        period_start as month,
        value as actual
    from {{ ref('kpi_long') }}
    where entity_type = 'manager' and period_grain = 'month'
),

-- Attainment is actual / target, or target / actual for a KPI where lower is better
-- (no overdue task at all reaches the cap). It never goes below 0; a missing actual
-- (no plan to attain, nothing to divide by) scores 0.
kpi_rows as (
    select
        manager_months.manager_id,
        manager_months.manager_name,
        manager_months.team_id,
        manager_months.month,
        targets.kpi_code,
        actuals.actual,
        targets.target,
        targets.weight,
        targets.cap,
        case
            when actuals.actual is null then null
            when targets.higher_is_better
                then least(greatest(actuals.actual / targets.target, 0), targets.cap)
            when actuals.actual <= 0 then targets.cap
            else least(targets.target / actuals.actual, targets.cap)
        end as attainment
    from manager_months
    cross join targets
    left join actuals
        on
            manager_months.manager_id = actuals.manager_id
            and manager_months.month = actuals.month
            and targets.kpi_code = actuals.kpi_code
),

scored as (
    select
        *,
        coalesce(attainment, 0) * weight as weighted_score,
        false as is_total
    from kpi_rows
),

-- Summed in decimals: a sum of doubles depends on the order the rows arrive in, and
-- the same data must give the same scores.
totals as (
    select
        manager_id,
        manager_name,
        team_id,
        month,
        'total' as kpi_code,
        cast(null as {{ api.Column.translate_type('double') }}) as actual,
        cast(null as {{ api.Column.translate_type('double') }}) as target,
        {{ exact_sum('weight') }} as weight,
        cast(null as {{ api.Column.translate_type('double') }}) as cap,
        {{ exact_sum('weighted_score') }} / nullif({{ exact_sum('weight') }}, 0) as attainment,
        {{ exact_sum('weighted_score') }} as weighted_score,
        true as is_total
    from scored
    group by manager_id, manager_name, team_id, month
),

-- totals lists the columns of scored in the same order.
scorecard_rows as (
    select * from scored
    union all
    select * from totals
)

select
    manager_id,
    manager_name,
    team_id,
    month,
    kpi_code,
    actual,
    target,
    weight,
    cap,
    attainment,
    weighted_score,
    is_total
from scorecard_rows
