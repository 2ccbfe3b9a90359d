-- Follow-up tasks, each version with its deal and manager resolved.
-- Read from the shared views of ../_views/: clock_with_skew, known_deals, known_managers.
with
-- the rows of raw.crm__tasks, ids and codes as staging cleans them
tasks as (
    select
        trim(task_id) as task_id,
        updated_at,
        created_at,
        due_at,
        completed_at,
        trim(deal_id) as deal_id,
        trim(manager_id) as manager_id,
        _file_id,
        _source_file
    from raw.crm__tasks
),

-- task_id, updated_at delivered more than once, and the file that brought it first
repeated_versions as (
    select
        task_id,
        updated_at,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from tasks
    group by task_id, updated_at
    having count(*) > 1
)

select
    tasks.task_id,
    tasks.updated_at,
    tasks.created_at,
    tasks.due_at,
    tasks.completed_at,
    case
        when tasks.manager_id is not null and known_managers.manager_id is null
            then tasks.manager_id
    end as unknown_manager_id,
    case
        when tasks.deal_id is not null and known_deals.deal_id is null
            then tasks.deal_id
    end as unknown_deal_id,
    case
        when tasks._file_id > repeated_versions.first_file_id
            then
                tasks._source_file || ' repeats the version first delivered in '
                || repeated_versions.first_file
    end as duplicate_delivery,
    nullif(
        concat_ws(
            '; ',
            case
                when tasks.created_at > clock_with_skew.latest_allowed
                    then 'created_at ' || tasks.created_at || ' is in the future'
            end,
            case
                when tasks.completed_at > clock_with_skew.latest_allowed
                    then 'completed_at ' || tasks.completed_at || ' is in the future'
            end,
            case
                when tasks.updated_at > clock_with_skew.latest_allowed
                    then 'updated_at ' || tasks.updated_at || ' is in the future'
            end
        ),
        ''
    ) as in_the_future
from tasks
left join known_managers
    on tasks.manager_id = known_managers.manager_id
left join known_deals
    on tasks.deal_id = known_deals.deal_id
left join repeated_versions
    on
        tasks.task_id = repeated_versions.task_id
        and tasks.updated_at = repeated_versions.updated_at
cross join clock_with_skew
