-- Each manager's versions tile time: every version ends where the next one starts,
-- and exactly one is current. A gap would leave events without a team; an overlap
-- would give an event two. Returns the versions that break it.
with versions as (
    select
        manager_id,
        valid_from,
        valid_to,
        is_current,
        lead(valid_from) over (
            partition by manager_id order by valid_from
        ) as next_valid_from
    from {{ ref('dim_managers') }}
)

select
    manager_id,
    valid_from,
    valid_to,
    next_valid_from
from versions
where
    valid_to <= valid_from
    or (next_valid_from is not null and valid_to <> next_valid_from)
    or (next_valid_from is null and not is_current)
    or (next_valid_from is not null and is_current)
