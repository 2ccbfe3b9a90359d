-- Pipeline stages in order, with the win probability the weighted pipeline uses.
select
    stage_code,
    stage_order,
    name_en,
    name_ru,
    is_closed,
    is_won,
    win_probability_pct,
    -- The stage an open deal moves to when it advances; closed stages have none.
    case
        when not is_closed then lead(stage_code) over (order by stage_order)
    end as next_stage_code
from {{ ref('deal_stages') }}
