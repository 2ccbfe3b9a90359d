-- fct_activities with whether a completed activity has the time it happened and a
-- not completed one has none (activity KPIs count completed ones by occurred_at).
select
    activity_id,
    manager_id,
    channel_code,
    activity_type,
    direction,
    activity_status,
    event_date,
    duration_sec,
    is_completed = (occurred_at is not null) as has_occurred_at_if_completed
from marts.fct_activities
