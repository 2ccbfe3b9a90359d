-- Funnel stages: per manager × channel × cohort month (local month the deal was
-- created) × open pipeline stage, how many of the cohort's deals reached the stage and
-- the next one, the conversion between them and the median days spent in the stage.
-- Definitions in _funnel.yml.
with

deals as (
    select
        deal_id,
        manager_id,
        team_id,
        channel_code,
        stage_code,
        is_won,
        created_at,
        cast({{ dbt.date_trunc('month', 'created_date') }} as date) as cohort_month
    from {{ ref('fct_deals') }}
),

stages as (
    select
        stage_code,
        stage_order,
        is_closed,
        is_won,
        next_stage_code,
        is_closed and not is_won as is_lost
    from {{ ref('dim_stages') }}
),

won_stage as (
    select stage_order
    from stages
    where is_won
),

-- The rows of every cohort: each open stage with the stage it advances to (invoice
-- advances to won); lost is an exit, never a row.
stage_pairs as (
    select
        stages.stage_code,
        stages.stage_order,
        stages.next_stage_code,
        next_stages.stage_order as next_stage_order
    from stages
    inner join stages as next_stages
        on stages.next_stage_code = next_stages.stage_code
    where not stages.is_closed
),

-- Stage changes of the deals still in fct_deals (deleted deals' changes are ignored),
-- in order, each with the time of the deal's next change (when it left the stage).
stage_changes as (
    select
        changes.deal_id,
        changes.from_stage,
        changes.to_stage,
        changes.changed_at,
        deals.created_at as deal_created_at,
        row_number() over (
            partition by changes.deal_id
            order by changes.changed_at, changes.change_id
        ) as change_number,
        lead(changes.changed_at) over (
            partition by changes.deal_id
            order by changes.changed_at, changes.change_id
        ) as next_changed_at
    from {{ ref('fct_deal_stage_changes') }} as changes
    inner join deals
        on changes.deal_id = deals.deal_id
),

-- Every stay of a deal in a stage it actually entered: by a change into it, or, for
-- the from_stage of the deal's first change, since the deal was created. left_at is
-- null while the deal is still in the stage.
stage_stays as (
    select
        deal_id,
        to_stage as stage_code,
        changed_at as entered_at,
        next_changed_at as left_at
    from stage_changes
    union all
    select
        deal_id,
        from_stage as stage_code,
        -- A deal re-sent with a later created_at can have changes before it.
        least(deal_created_at, changed_at) as entered_at,
        changed_at as left_at
    from stage_changes
    where change_number = 1 and from_stage is not null
),

-- Days a deal spent in a stage, over the stays it left (a deal back in a stage adds up).
deal_stage_days as (
    select
        deal_id,
        stage_code,
        sum(
            cast(
                {{ dbt.datediff('entered_at', 'left_at', 'second') }}
                as double
            )
        ) / 86400 as days_in_stage
    from stage_stays
    where left_at is not null
    group by deal_id, stage_code
),

-- The stage orders a deal is known to have been at: every stage it entered and its
-- current stage, lost excluded.
reached_stage_orders as (
    select
        stage_stays.deal_id,
        stages.stage_order
    from stage_stays
    inner join stages
        on stage_stays.stage_code = stages.stage_code
    where not stages.is_lost
    union all
    select
        deals.deal_id,
        stages.stage_order
    from deals
    inner join stages
        on deals.stage_code = stages.stage_code
    where not stages.is_lost
),

furthest_stage_orders as (
    select
        deal_id,
        max(stage_order) as furthest_stage_order
    from reached_stage_orders
    group by deal_id
),

deals_furthest as (
    select
        deals.deal_id,
        deals.manager_id,
        deals.channel_code,
        deals.cohort_month,
        -- The team at the creation of the cohort's first deal (a manager who moved
        -- teams within the month keeps the earlier team here).
        first_value(deals.team_id) over (
            partition by deals.manager_id, deals.channel_code, deals.cohort_month
            order by deals.created_at, deals.deal_id
        ) as cohort_team_id,
        case
            when deals.is_won then (select won_stage.stage_order from won_stage)
            else coalesce(furthest_stage_orders.furthest_stage_order, 0)
        end as furthest_stage_order
    from deals
    left join furthest_stage_orders
        on deals.deal_id = furthest_stage_orders.deal_id
),

funnel as (
    select
        deals_furthest.manager_id,
        deals_furthest.channel_code,
        deals_furthest.cohort_month,
        stage_pairs.stage_code,
        stage_pairs.next_stage_code,
        stage_pairs.stage_order,
        max(deals_furthest.cohort_team_id) as team_id,
        count(*) as cohort_deals,
        count(
            case when deals_furthest.furthest_stage_order >= stage_pairs.stage_order then 1 end
        ) as deals_reached,
        count(
            case when deals_furthest.furthest_stage_order >= stage_pairs.next_stage_order then 1 end
        ) as deals_reached_next,
        median(deal_stage_days.days_in_stage) as median_days_in_stage
    from deals_furthest
    cross join stage_pairs
    left join deal_stage_days
        on
            deals_furthest.deal_id = deal_stage_days.deal_id
            and stage_pairs.stage_code = deal_stage_days.stage_code
    group by
        deals_furthest.manager_id,
        deals_furthest.channel_code,
        deals_furthest.cohort_month,
        stage_pairs.stage_code,
        stage_pairs.next_stage_code,
        stage_pairs.stage_order
)

select
    manager_id,
    channel_code,
    cohort_month,
    stage_code,
    next_stage_code,
    cast(deals_reached as bigint) as deals_reached,
    cast(deals_reached_next as bigint) as deals_reached_next,
    100 * cast(deals_reached_next as double) / nullif(deals_reached, 0) as conversion_pct,
    cast(median_days_in_stage as double) as median_days_in_stage,
    team_id,
    cast(cohort_deals as bigint) as cohort_deals
from funnel
