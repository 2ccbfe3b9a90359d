-- fct_tasks with the order of its timestamps and whether is_completed matches completed_at.
select
    task_id,
    manager_id,
    due_at,
    created_date,
    is_completed = (completed_at is not null) as is_completed_consistent,
    completed_at is null or completed_at >= created_at as is_completed_after_created,
    due_at >= created_at as is_due_after_created
from marts.fct_tasks
