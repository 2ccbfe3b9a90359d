-- fct_deal_stage_changes with whether stage_steps is the distance between the two
-- stages and a skip is a forward jump over a stage (a move to lost never is).
select
    change_id,
    deal_id,
    to_stage,
    changed_date,
    (stage_steps is not distinct from to_stage_order - from_stage_order) as is_steps_consistent,
    is_stage_skip = coalesce(stage_steps > 1 and to_stage <> 'lost', false) as is_skip_consistent
from marts.fct_deal_stage_changes
