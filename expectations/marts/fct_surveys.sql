-- fct_surveys with whether the NPS category matches the score (9-10 promoter,
-- 7-8 passive, 0-6 detractor).
select
    survey_id,
    manager_id,
    responded_date,
    nps_score,
    csat_score,
    (
        nps_category is not distinct from case
            when nps_score >= 9 then 'promoter'
            when nps_score >= 7 then 'passive'
            when nps_score >= 0 then 'detractor'
        end
    ) as is_nps_category_consistent
from marts.fct_surveys
