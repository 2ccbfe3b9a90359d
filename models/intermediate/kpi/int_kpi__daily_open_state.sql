-- What is open at the end of every local day, per manager, the manager's team at that
-- moment and channel: open deals and their amount (at the rate of each deal's
-- creation date), the amount weighted by the win probability of the stage each deal
-- was in, the open deals with good CRM hygiene (an open task due later and none
-- overdue), and overdue open tasks. The period-end KPIs read the last day of a period.
--
-- Every state is a running sum of changes: a deal adds its amount on its creation
-- day and removes it on its close day, a stage change swaps the weight, a task is
-- "due later" from its creation until its due day and overdue from then until it is
-- completed. Only the days with something open are kept.
with deals as (
    select
        deals.deal_id,
        deals.manager_id,
        deals.channel_code,
        deals.stage_code,
        deals.created_at,
        deals.created_date,
        deals.closed_date,
        {{ to_reporting_currency('deals.amount', 'creation_rates.rate_to_reporting') }}
            as amount_at_creation
    from {{ ref('fct_deals') }} as deals
    {{ join_fx_rate_on('deals.currency', 'deals.created_date', 'creation_rates') }}
),

stage_probabilities as (
    select
        stage_code,
        win_probability_pct
    from {{ ref('dim_stages') }}
),

stage_changes as (
    select
        changes.deal_id,
        changes.change_id,
        changes.from_stage,
        changes.to_stage,
        changes.changed_at,
        greatest(changes.changed_date, deals.created_date) as changed_date,
        row_number() over (
            partition by changes.deal_id order by changes.changed_at, changes.change_id
        ) as change_number
    from {{ ref('fct_deal_stage_changes') }} as changes
    inner join deals
        on changes.deal_id = deals.deal_id
    where deals.closed_date is null or changes.changed_date <= deals.closed_date
),

-- A deal's life in segments: open at creation in its first known stage, open in each
-- new stage, closed from its close day on. The last segment of a day is the state at
-- the day's end.
segments as (
    select
        deals.deal_id,
        deals.created_date as segment_date,
        0 as segment_rank,
        deals.created_at as segment_at,
        cast(null as {{ api.Column.translate_type('string') }}) as change_id,
        1 as is_open,
        coalesce(first_changes.from_stage, deals.stage_code) as stage_code
    from deals
    left join stage_changes as first_changes
        on
            deals.deal_id = first_changes.deal_id
            and first_changes.change_number = 1
    union all
    select
        deal_id,
        changed_date as segment_date,
        1 as segment_rank,
        changed_at as segment_at,
        change_id,
        1 as is_open,
        to_stage as stage_code
    from stage_changes
    union all
    select
        deal_id,
        closed_date as segment_date,
        2 as segment_rank,
        null as segment_at,
        cast(null as {{ api.Column.translate_type('string') }}) as change_id,
        0 as is_open,
        null as stage_code
    from deals
    where closed_date is not null
),

day_end_segments as (
    select
        segments.deal_id,
        segments.segment_date,
        segments.is_open,
        segments.is_open * deals.amount_at_creation as open_amount,
        segments.is_open * deals.amount_at_creation
        * coalesce(stage_probabilities.win_probability_pct, 0) as weighted_amount_pct,
        row_number() over (
            partition by segments.deal_id, segments.segment_date
            order by segments.segment_rank desc, segments.segment_at desc, segments.change_id desc
        ) as segment_from_last
    from segments
    inner join deals
        on segments.deal_id = deals.deal_id
    left join stage_probabilities
        on segments.stage_code = stage_probabilities.stage_code
),

deal_changes as (
    select
        deal_id,
        segment_date as change_date,
        is_open - coalesce(lag(is_open) over (
            partition by deal_id order by segment_date
        ), 0) as open_deals_change,
        open_amount - coalesce(lag(open_amount) over (
            partition by deal_id order by segment_date
        ), 0) as pipeline_amount_change,
        weighted_amount_pct - coalesce(lag(weighted_amount_pct) over (
            partition by deal_id order by segment_date
        ), 0) as weighted_amount_pct_change
    from day_end_segments
    where segment_from_last = 1
),

tasks as (
    select
        tasks.task_id,
        tasks.deal_id,
        tasks.manager_id,
        coalesce(deals.channel_code, 'unattributed') as channel_code,
        tasks.created_date,
        tasks.due_date,
        tasks.completed_date,
        deals.deal_id is not null as is_on_open_pipeline_deal
    from {{ ref('fct_tasks') }} as tasks
    left join deals
        on tasks.deal_id = deals.deal_id
),

-- A task is "due later" on [created, min(due, completed)) and overdue on
-- [max(created, due), completed): two intervals of days (an open end: not completed).
task_intervals as (
    select
        task_id,
        deal_id,
        manager_id,
        channel_code,
        is_on_open_pipeline_deal,
        created_date as starts_on,
        least(due_date, coalesce(completed_date, due_date)) as ends_on,
        1 as due_later,
        0 as overdue
    from tasks
    union all
    select
        task_id,
        deal_id,
        manager_id,
        channel_code,
        is_on_open_pipeline_deal,
        greatest(created_date, due_date) as starts_on,
        completed_date as ends_on,
        0 as due_later,
        1 as overdue
    from tasks
),

-- Each non-empty interval is +1 on its first day and -1 on the day after its last.
task_changes as (
    select
        task_id,
        deal_id,
        manager_id,
        channel_code,
        is_on_open_pipeline_deal,
        starts_on as change_date,
        due_later as due_later_change,
        overdue as overdue_change
    from task_intervals
    where ends_on is null or starts_on < ends_on
    union all
    select
        task_id,
        deal_id,
        manager_id,
        channel_code,
        is_on_open_pipeline_deal,
        ends_on as change_date,
        -due_later as due_later_change,
        -overdue as overdue_change
    from task_intervals
    where starts_on < ends_on
),

deal_hygiene_changes as (
    select
        deal_id,
        change_date,
        sum(open_deals_change) as open_deals_change,
        sum(due_later_change) as due_later_change,
        sum(overdue_change) as overdue_change
    from (
        select
            deal_id,
            change_date,
            open_deals_change,
            0 as due_later_change,
            0 as overdue_change
        from deal_changes
        union all
        select
            deal_id,
            change_date,
            0 as open_deals_change,
            due_later_change,
            overdue_change
        from task_changes
        where is_on_open_pipeline_deal
    ) as changes_of_deal
    group by deal_id, change_date
),

deal_hygiene_states as (
    select
        deal_id,
        change_date,
        sum(open_deals_change) over deal_history = 1
        and sum(due_later_change) over deal_history > 0
        and sum(overdue_change) over deal_history = 0 as is_hygienic
    from deal_hygiene_changes
    window deal_history as (
        partition by deal_id order by change_date
        rows between unbounded preceding and current row
    )
),

hygiene_changes as (
    select
        deal_id,
        change_date,
        case when is_hygienic then 1 else 0 end
        - coalesce(lag(case when is_hygienic then 1 else 0 end) over (
            partition by deal_id order by change_date
        ), 0) as hygienic_deals_change
    from deal_hygiene_states
),

changes as (
    select
        deals.manager_id,
        deals.channel_code,
        deal_changes.change_date,
        deal_changes.open_deals_change,
        deal_changes.pipeline_amount_change,
        deal_changes.weighted_amount_pct_change,
        0 as hygienic_deals_change,
        0 as overdue_tasks_change
    from deal_changes
    inner join deals
        on deal_changes.deal_id = deals.deal_id
    union all
    select
        deals.manager_id,
        deals.channel_code,
        hygiene_changes.change_date,
        0 as open_deals_change,
        0 as pipeline_amount_change,
        0 as weighted_amount_pct_change,
        hygiene_changes.hygienic_deals_change,
        0 as overdue_tasks_change
    from hygiene_changes
    inner join deals
        on hygiene_changes.deal_id = deals.deal_id
    where hygiene_changes.hygienic_deals_change != 0
    union all
    select
        manager_id,
        channel_code,
        change_date,
        0 as open_deals_change,
        0 as pipeline_amount_change,
        0 as weighted_amount_pct_change,
        0 as hygienic_deals_change,
        overdue_change as overdue_tasks_change
    from task_changes
    where overdue_change != 0
),

daily_changes as (
    select
        manager_id,
        channel_code,
        change_date,
        sum(open_deals_change) as open_deals_change,
        sum(pipeline_amount_change) as pipeline_amount_change,
        sum(weighted_amount_pct_change) as weighted_amount_pct_change,
        sum(hygienic_deals_change) as hygienic_deals_change,
        sum(overdue_tasks_change) as overdue_tasks_change
    from changes
    group by manager_id, channel_code, change_date
),

days as (
    select
        date_day,
        {{ local_day_start_utc(dbt.dateadd('day', 1, 'date_day')) }} as day_end_at
    from {{ ref('dim_date') }}
    where date_day <= {{ kpi_state_horizon() }}
),

manager_channel_spans as (
    select
        manager_id,
        channel_code,
        min(change_date) as first_change_date
    from daily_changes
    group by manager_id, channel_code
),

daily_states as (
    select
        spans.manager_id,
        spans.channel_code,
        days.date_day as state_date,
        days.day_end_at,
        sum(coalesce(daily_changes.open_deals_change, 0)) over running as open_deals,
        sum(coalesce(daily_changes.pipeline_amount_change, 0)) over running as pipeline_amount,
        sum(coalesce(daily_changes.weighted_amount_pct_change, 0)) over running
            as weighted_pipeline_amount_pct,
        sum(coalesce(daily_changes.hygienic_deals_change, 0)) over running as hygienic_deals,
        sum(coalesce(daily_changes.overdue_tasks_change, 0)) over running as overdue_tasks
    from manager_channel_spans as spans
    inner join days
        on spans.first_change_date <= days.date_day
    left join daily_changes
        on
            spans.manager_id = daily_changes.manager_id
            and spans.channel_code = daily_changes.channel_code
            and days.date_day = daily_changes.change_date
    window running as (
        partition by spans.manager_id, spans.channel_code order by days.date_day
        rows between unbounded preceding and current row
    )
)

select
    daily_states.state_date,
    daily_states.manager_id,
    manager_versions.team_id,
    daily_states.channel_code,
    cast(daily_states.open_deals as {{ api.Column.translate_type('bigint') }}) as open_deals,
    cast(daily_states.pipeline_amount as decimal(38, 2)) as pipeline_amount,
    -- Weighted by whole percents until here, so the sum stays exact in decimals.
    cast(daily_states.weighted_pipeline_amount_pct * 0.01 as decimal(38, 4))
        as weighted_pipeline_amount,
    cast(daily_states.hygienic_deals as {{ api.Column.translate_type('bigint') }})
        as hygienic_deals,
    cast(daily_states.overdue_tasks as {{ api.Column.translate_type('bigint') }})
        as overdue_tasks
from daily_states
{{ join_manager_version_before(
    'daily_states.manager_id', 'daily_states.day_end_at', 'manager_versions'
) }}
where daily_states.open_deals != 0 or daily_states.overdue_tasks != 0
