-- funnel_stage_conversion with, per row, the conversion recomputed from its counts,
-- the deals that reached the previous stage of the same cohort, and how many stage rows
-- the cohort has (the model gives every cohort all 6 open stages).
with funnel as (
    select * from marts.funnel_stage_conversion
),

stage_orders as (
    select
        stage_code,
        stage_order
    from marts.dim_stages
)

select
    funnel.manager_id,
    funnel.channel_code,
    funnel.cohort_month,
    funnel.stage_code,
    funnel.next_stage_code,
    funnel.team_id,
    funnel.deals_reached,
    funnel.deals_reached_next,
    funnel.cohort_deals,
    funnel.conversion_pct,
    funnel.median_days_in_stage,
    abs(
        coalesce(funnel.conversion_pct, -1)
        - coalesce(100.0 * funnel.deals_reached_next / nullif(funnel.deals_reached, 0), -1)
    ) as conversion_pct_error,
    coalesce(
        lag(funnel.deals_reached) over (
            partition by funnel.manager_id, funnel.channel_code, funnel.cohort_month
            order by stage_orders.stage_order
        ),
        funnel.cohort_deals
    ) as deals_reached_previous_stage,
    count(*) over (
        partition by funnel.manager_id, funnel.channel_code, funnel.cohort_month
    ) as cohort_stage_rows
from funnel
left join stage_orders
    on funnel.stage_code = stage_orders.stage_code
