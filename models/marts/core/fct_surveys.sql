-- One row per survey response, with its NPS category.
with surveys as (
    select * from {{ ref('stg_crm__surveys') }}
),

deals as (
    select
        deal_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
)

select
    surveys.survey_id,
    surveys.client_id,
    surveys.deal_id,
    surveys.manager_id,
    manager_at_response.team_id,
    deals.channel_code,
    surveys.responded_at,
    {{ to_local_date('surveys.responded_at') }} as responded_date,
    surveys.nps_score,
    case
        when surveys.nps_score >= 9 then 'promoter'
        when surveys.nps_score >= 7 then 'passive'
        when surveys.nps_score >= 0 then 'detractor'
    end as nps_category,
    surveys.csat_score
from surveys
left join deals
    on surveys.deal_id = deals.deal_id
{{ join_manager_version_at('surveys.manager_id', 'surveys.responded_at', 'manager_at_response') }}
