-- Calls, e-mails, meetings: each version with its manager, client, lead and deal resolved
-- and its status checked against when it happened. The largest raw table: row-wise checks only.
-- Read from the shared views of ../_views/: clock_with_skew, known_clients, known_deals,
-- known_leads, known_managers.
with
-- the rows of raw.crm__activities, ids and codes as staging cleans them
activities as (
    select
        trim(activity_id) as activity_id,
        updated_at,
        lower(trim(type)) as type,
        lower(trim(direction)) as direction,
        lower(trim(status)) as status,
        lower(trim(purpose)) as purpose,
        created_at,
        occurred_at,
        duration_sec,
        trim(manager_id) as manager_id,
        trim(client_id) as client_id,
        trim(lead_id) as lead_id,
        trim(deal_id) as deal_id,
        _file_id,
        _source_file
    from raw.crm__activities
),

-- activity_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        activity_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from activities
    group by activity_id, updated_at
    having count(*) > 1
)

select
    activities.activity_id,
    activities.updated_at,
    activities.type,
    activities.direction,
    activities.status,
    activities.purpose,
    activities.created_at,
    activities.occurred_at,
    activities.duration_sec,
    case
        when activities.manager_id is not null and known_managers.manager_id is null
            then activities.manager_id
    end as unknown_manager_id,
    case
        when activities.client_id is not null and known_clients.client_id is null
            then activities.client_id
    end as unknown_client_id,
    case
        when activities.lead_id is not null and known_leads.lead_id is null
            then activities.lead_id
    end as unknown_lead_id,
    case
        when activities.deal_id is not null and known_deals.deal_id is null
            then activities.deal_id
    end as unknown_deal_id,
    case
        when activities.status = 'completed' and activities.occurred_at is null
            then 'status completed but occurred_at is empty'
    end as status_conflict,
    case
        when activities._file_id > repeated_versions.first_file_id
            then
                activities._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when activities.created_at > clock_with_skew.latest_allowed
                    then 'created_at ' || activities.created_at || ' is in the future'
            end,
            case
                when activities.occurred_at > clock_with_skew.latest_allowed
                    then 'occurred_at ' || activities.occurred_at || ' is in the future'
            end,
            case
                when activities.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || activities.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from activities
left join known_managers
    on activities.manager_id = known_managers.manager_id
left join known_clients
    on activities.client_id = known_clients.client_id
left join known_leads
    on activities.lead_id = known_leads.lead_id
left join known_deals
    on activities.deal_id = known_deals.deal_id
left join repeated_versions
    on
        activities.activity_id = repeated_versions.activity_id
        and activities.updated_at = repeated_versions.updated_at
cross join clock_with_skew
