-- Leads, each version with its manager, client and deal resolved and its status checked
-- against its milestones.
-- Read from the shared views of ../_views/: clock_with_skew, known_clients, known_deals,
-- known_managers.
with
-- the rows of raw.crm__leads, ids and codes as staging cleans them
leads as (
    select
        trim(lead_id) as lead_id,
        updated_at,
        created_at,
        qualified_at,
        converted_at,
        lower(trim(channel_code)) as channel_code,
        lower(trim(status)) as status,
        trim(manager_id) as manager_id,
        trim(client_id) as client_id,
        trim(deal_id) as deal_id,
        _file_id,
        _source_file
    from raw.crm__leads
),

-- lead_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        lead_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from leads
    group by lead_id, updated_at
    having count(*) > 1
)

select
    leads.lead_id,
    leads.updated_at,
    leads.created_at,
    leads.qualified_at,
    leads.converted_at,
    leads.channel_code,
    leads.status,
    case
        when leads.manager_id is not null and known_managers.manager_id is null
            then leads.manager_id
    end as unknown_manager_id,
    case
        when leads.client_id is not null and known_clients.client_id is null
            then leads.client_id
    end as unknown_client_id,
    case
        when leads.deal_id is not null and known_deals.deal_id is null
            then leads.deal_id
    end as unknown_deal_id,
    case
        when leads.status in ('qualified', 'converted') and leads.qualified_at is null
            then 'status ' || leads.status || ' but qualified_at is empty'
        when leads.status = 'converted' and leads.converted_at is null
            then 'status converted but converted_at is empty'
        when leads.status = 'converted' and leads.deal_id is null
            then 'status converted but deal_id is empty'
    end as status_conflict,
    case
        when leads._file_id > repeated_versions.first_file_id
            then
                leads._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when leads.created_at > clock_with_skew.latest_allowed
                    then 'created_at ' || leads.created_at || ' is in the future'
            end,
            case
                when leads.qualified_at > clock_with_skew.latest_allowed
                    then 'qualified_at ' || leads.qualified_at || ' is in the future'
            end,
            case
                when leads.converted_at > clock_with_skew.latest_allowed
                    then 'converted_at ' || leads.converted_at || ' is in the future'
            end,
            case
                when leads.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || leads.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from leads
left join known_managers
    on leads.manager_id = known_managers.manager_id
left join known_clients
    on leads.client_id = known_clients.client_id
left join known_deals
    on leads.deal_id = known_deals.deal_id
left join repeated_versions
    on
        leads.lead_id = repeated_versions.lead_id
        and leads.updated_at = repeated_versions.updated_at
cross join clock_with_skew
