-- Customer satisfaction surveys with their client, deal and manager resolved.
-- Read from the shared views of ../_views/: clock_with_skew, known_clients, known_deals,
-- known_managers.
with
-- the rows of raw.crm__surveys, ids and codes as staging cleans them
surveys as (
    select
        trim(survey_id) as survey_id,
        responded_at,
        nps_score,
        csat_score,
        trim(client_id) as client_id,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        _file_id,
        _source_file
    from raw.crm__surveys
),

-- survey_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        survey_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from surveys
    group by survey_id
    having count(*) > 1
)

select
    surveys.survey_id,
    surveys.responded_at,
    surveys.nps_score,
    surveys.csat_score,
    case
        when surveys.manager_id is not null and known_managers.manager_id is null
            then surveys.manager_id
    end as unknown_manager_id,
    case
        when surveys.client_id is not null and known_clients.client_id is null
            then surveys.client_id
    end as unknown_client_id,
    case
        when surveys.deal_id is not null and known_deals.deal_id is null
            then surveys.deal_id
    end as unknown_deal_id,
    surveys.nps_score is not null or surveys.csat_score is not null as has_a_score,
    case
        when surveys._file_id > repeated_rows.first_file_id
            then
                surveys._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery,
    case
        when surveys.responded_at > clock_with_skew.latest_allowed
            then 'responded_at ' || surveys.responded_at || ' is in the future'
    end as in_the_future
from surveys
left join known_managers
    on surveys.manager_id = known_managers.manager_id
left join known_clients
    on surveys.client_id = known_clients.client_id
left join known_deals
    on surveys.deal_id = known_deals.deal_id
left join repeated_rows
    on surveys.survey_id = repeated_rows.survey_id
cross join clock_with_skew
