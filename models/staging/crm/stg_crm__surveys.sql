with source_rows as (
    select * from {{ source('crm', 'surveys') }}
),

cleaned as (
    select
        trim(survey_id) as survey_id,
        trim(client_id) as client_id,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        responded_at,
        nps_score,
        csat_score,
        {{ raw_lineage_columns(deletable=true) }}
    from source_rows
)

{{ newest_live_versions('cleaned', ['survey_id'], versioned=false, deletable=true) }}
