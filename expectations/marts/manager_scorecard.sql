-- manager_scorecard with, per row, how far attainment is above its cap, how far the
-- total's score is from the sum of its KPI rows, and the manager-month's total rows.
with scorecard as (
    select * from marts.manager_scorecard
),

manager_months as (
    select
        manager_id,
        month,
        sum(weighted_score) filter (where not is_total) as sum_of_weighted_scores,
        sum(weight) filter (where not is_total) as sum_of_weights,
        count(*) filter (where is_total) as total_rows
    from scorecard
    group by manager_id, month
)

select
    scorecard.manager_id,
    scorecard.month,
    scorecard.kpi_code,
    scorecard.attainment,
    scorecard.weighted_score,
    case when not scorecard.is_total then scorecard.attainment - scorecard.cap end
        as attainment_above_cap,
    case
        when scorecard.is_total
            then abs(scorecard.weighted_score - manager_months.sum_of_weighted_scores)
    end as total_score_error,
    case when scorecard.is_total then manager_months.sum_of_weights end as total_weight,
    manager_months.total_rows
from scorecard
inner join manager_months
    on
        scorecard.manager_id = manager_months.manager_id
        and scorecard.month = manager_months.month
