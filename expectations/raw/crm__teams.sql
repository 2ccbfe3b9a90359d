-- Sales teams, each version with whether its head of sales is a known manager.
-- Read from the shared views of ../_views/: clock_with_skew, known_managers.
with
-- the rows of raw.crm__teams, ids and codes as staging cleans them
teams as (
    select
        trim(team_id) as team_id,
        updated_at,
        trim(head_manager_id) as head_manager_id,
        _file_id,
        _source_file
    from raw.crm__teams
),

-- team_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        team_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from teams
    group by team_id, updated_at
    having count(*) > 1
)

select
    teams.team_id,
    teams.updated_at,
    case
        when teams.head_manager_id is not null and known_managers.manager_id is null
            then teams.head_manager_id
    end as unknown_head_manager_id,
    case
        when teams._file_id > repeated_versions.first_file_id
            then
                teams._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    case
        when teams.updated_at > clock_with_skew.latest_allowed
            then 'updated_at ' || teams.updated_at || ' is in the future'
    end as in_the_future
from teams
left join known_managers
    on teams.head_manager_id = known_managers.manager_id
left join repeated_versions
    on
        teams.team_id = repeated_versions.team_id
        and teams.updated_at = repeated_versions.updated_at
cross join clock_with_skew
