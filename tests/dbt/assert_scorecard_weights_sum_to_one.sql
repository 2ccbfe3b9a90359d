-- The scorecard's weights sum to 1 (within 1e-9 for floating-point sums), so a
-- manager meeting every target exactly scores 1. Returns the total when it does not.
select
    count(*) as scorecard_kpis,
    sum(weight) as total_weight
from {{ ref('scorecard_targets') }}
having abs(coalesce(sum(weight), 0) - 1) > 1e-9
