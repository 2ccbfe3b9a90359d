-- Moves of deals between stages, each with its deal resolved and the deal's creation time.
-- Read from the shared views of ../_views/: clock_with_skew, known_managers.
with
-- the rows of raw.crm__deal_stage_changes, ids and codes as staging cleans them
stage_changes as (
    select
        trim(change_id) as change_id,
        trim(deal_id) as deal_id,
        lower(trim(from_stage)) as from_stage,
        lower(trim(to_stage)) as to_stage,
        changed_at,
        trim(manager_id) as manager_id,
        _file_id,
        _source_file
    from raw.crm__deal_stage_changes
),

-- when each deal was created, by its earliest version
deal_starts as (
    select
        trim(deal_id) as deal_id,
        min(created_at) as deal_created_at
    from raw.crm__deals
    group by trim(deal_id)
),

-- change_id delivered more than once, and the file that brought it first
repeated_rows as (
    select
        change_id,
        min(_file_id) as first_file_id,
        arg_min(_source_file, _file_id) as first_file
    from stage_changes
    group by change_id
    having count(*) > 1
)

select
    stage_changes.change_id,
    stage_changes.from_stage,
    stage_changes.to_stage,
    stage_changes.changed_at,
    case
        when deal_starts.deal_id is null
            then stage_changes.deal_id
    end as unknown_deal_id,
    deal_starts.deal_created_at,
    case
        when stage_changes.manager_id is not null and known_managers.manager_id is null
            then stage_changes.manager_id
    end as unknown_manager_id,
    case
        when stage_changes._file_id > repeated_rows.first_file_id
            then
                stage_changes._source_file || ' repeats the row first delivered in '
                || repeated_rows.first_file
    end as duplicate_delivery,
    case
        when stage_changes.changed_at > clock_with_skew.latest_allowed
            then 'changed_at ' || stage_changes.changed_at || ' is in the future'
    end as in_the_future
from stage_changes
left join deal_starts
    on stage_changes.deal_id = deal_starts.deal_id
left join known_managers
    on stage_changes.manager_id = known_managers.manager_id
left join repeated_rows
    on stage_changes.change_id = repeated_rows.change_id
cross join clock_with_skew
