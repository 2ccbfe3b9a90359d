-- Customers and prospects (personal data left out), with the owner resolved against crm/managers.
-- Read from the shared views of ../_views/: clock_with_skew, known_managers.
with
-- the rows of raw.crm__clients, ids and codes as staging cleans them
clients as (
    select
        trim(client_id) as client_id,
        updated_at,
        lower(trim(segment)) as segment,
        lower(trim(acquisition_source)) as acquisition_source,
        created_at,
        trim(owner_manager_id) as owner_manager_id,
        _file_id,
        _source_file
    from raw.crm__clients
),

-- client_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        client_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from clients
    group by client_id, updated_at
    having count(*) > 1
)

select
    clients.client_id,
    clients.updated_at,
    clients.segment,
    clients.acquisition_source,
    clients.created_at,
    case
        when clients.owner_manager_id is not null and known_managers.manager_id is null
            then clients.owner_manager_id
    end as unknown_owner_manager_id,
    case
        when clients._file_id > repeated_versions.first_file_id
            then
                clients._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when clients.created_at > clock_with_skew.latest_allowed
                    then 'created_at ' || clients.created_at || ' is in the future'
            end,
            case
                when clients.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || clients.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from clients
left join known_managers
    on clients.owner_manager_id = known_managers.manager_id
left join repeated_versions
    on
        clients.client_id = repeated_versions.client_id
        and clients.updated_at = repeated_versions.updated_at
cross join clock_with_skew
