-- Sales staff, each version with its team resolved against crm/teams.
-- Read from the shared views of ../_views/: clock_with_skew, known_teams.
with
-- the rows of raw.crm__managers, ids and codes as staging cleans them
managers as (
    select
        trim(manager_id) as manager_id,
        updated_at,
        lower(trim(role)) as role,
        hired_on,
        fired_on,
        trim(team_id) as team_id,
        _file_id,
        _source_file
    from raw.crm__managers
),

-- manager_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        manager_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from managers
    group by manager_id, updated_at
    having count(*) > 1
)

select
    managers.manager_id,
    managers.updated_at,
    managers.role,
    managers.hired_on,
    managers.fired_on,
    case
        when managers.team_id is not null and known_teams.team_id is null
            then managers.team_id
    end as unknown_team_id,
    case
        when managers._file_id > repeated_versions.first_file_id
            then
                managers._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when managers.hired_on > clock_with_skew.latest_allowed
                    then 'hired_on ' || managers.hired_on || ' is in the future'
            end,
            case
                when managers.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || managers.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from managers
left join known_teams
    on managers.team_id = known_teams.team_id
left join repeated_versions
    on
        managers.manager_id = repeated_versions.manager_id
        and managers.updated_at = repeated_versions.updated_at
cross join clock_with_skew
