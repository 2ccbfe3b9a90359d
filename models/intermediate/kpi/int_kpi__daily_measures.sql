-- The additive parts of every KPI, once per local day, manager, team and channel: the
-- finest grain they are computed at. Every period, manager, team, channel and the
-- company roll these up; no ratio is stored here. Each fact is read once and
-- aggregated on its own, then the aggregates are stacked and summed.
--
-- Keys may be NULL: finance rows whose CRM deal was deleted have no manager, team or
-- channel (they count for the company only); plans for all channels and expenses
-- without a channel have no channel.
with payments as (
    select
        payments.paid_date,
        payments.manager_id,
        payments.team_id,
        payments.channel_code,
        payments.client_id,
        payments.payment_id,
        payments.paid_at,
        payments.amount,
        payments.amount_reporting,
        coalesce(clients.is_key_account, false) as is_key_account,
        coalesce(clients.is_target_segment, false) as is_target_segment
    from {{ ref('fct_payments') }} as payments
    left join {{ ref('dim_clients') }} as clients
        on payments.client_id = clients.client_id
),

payment_parts as (
    select
        paid_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'revenue': 'sum(amount_reporting)',
            'key_account_revenue':
                'sum(case when is_key_account then amount_reporting else 0 end)',
            'payments_received': 'sum(case when amount > 0 then 1 else 0 end)',
        }) }}
    from payments
    group by paid_date, manager_id, team_id, channel_code
),

first_payments as (
    select
        *,
        row_number() over (
            partition by client_id order by paid_at, payment_id
        ) as payment_number
    from payments
    where amount > 0 and client_id is not null
),

new_customer_parts as (
    select
        paid_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'new_customers': 'count(*)',
            'new_target_customers': 'sum(case when is_target_segment then 1 else 0 end)',
        }) }}
    from first_payments
    where payment_number = 1
    group by paid_date, manager_id, team_id, channel_code
),

invoice_parts as (
    select
        issued_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'invoiced_amount': 'sum(amount_reporting)',
            'invoices_issued': 'count(*)',
        }) }}
    from {{ ref('fct_invoices') }}
    where not is_cancelled
    group by issued_date, manager_id, team_id, channel_code
),

invoice_line_parts as (
    select
        issued_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'gross_profit': 'sum(line_gross_profit_reporting)',
            'line_revenue': 'sum(line_revenue_reporting)',
        }) }}
    from {{ ref('fct_invoice_lines') }}
    where not is_cancelled
    group by issued_date, manager_id, team_id, channel_code
),

deals as (
    select
        deals.*,
        coalesce(lost_reasons.is_manager_fault, false) as is_manager_fault
    from {{ ref('fct_deals') }} as deals
    left join {{ ref('dim_lost_reasons') }} as lost_reasons
        on deals.lost_reason_code = lost_reasons.lost_reason_code
),

created_deal_parts as (
    select
        created_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'deals_created': 'count(*)'}) }}
    from deals
    group by created_date, manager_id, team_id, channel_code
),

closed_deal_parts as (
    select
        closed_date as measure_date,
        manager_id,
        closed_team_id as team_id,
        channel_code,
        {{ kpi_measure_columns({
            'deals_won': 'sum(case when is_won then 1 else 0 end)',
            'deals_lost': 'sum(case when is_lost then 1 else 0 end)',
            'bookings': 'sum(case when is_won then amount_reporting else 0 end)',
            'lost_amount': 'sum(case when is_lost then amount_reporting else 0 end)',
            'competitive_deals_won':
                'sum(case when is_won and is_competitive then 1 else 0 end)',
            'competitive_deals_lost':
                'sum(case when is_lost and is_competitive then 1 else 0 end)',
            'lost_deals_manager_fault':
                'sum(case when is_lost and is_manager_fault then 1 else 0 end)',
        }) }}
    from deals
    where is_won or is_lost
    group by closed_date, manager_id, closed_team_id, channel_code
),

sales_cycle_parts as (
    select
        closed_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'won_deals_with_cycle': 'count(*)',
            'sales_cycle_days_total': 'sum(sales_cycle_days)',
        }) }}
    from {{ ref('int_kpi__deal_cycles') }}
    group by closed_date, manager_id, team_id, channel_code
),

leads as (
    select
        leads.*,
        coalesce(deals.is_won, false) as is_deal_won
    from {{ ref('fct_leads') }} as leads
    left join {{ ref('fct_deals') }} as deals
        on leads.deal_id = deals.deal_id
),

created_lead_parts as (
    select
        created_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'leads_created': 'count(*)',
            'leads_won': 'sum(case when is_deal_won then 1 else 0 end)',
        }) }}
    from leads
    group by created_date, manager_id, team_id, channel_code
),

qualified_lead_parts as (
    select
        qualified_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'qualified_leads': 'count(*)'}) }}
    from leads
    where qualified_date is not null
    group by qualified_date, manager_id, team_id, channel_code
),

lead_response_parts as (
    select
        created_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'leads_unanswered': 'sum(case when is_unanswered then 1 else 0 end)',
        }) }}
    from {{ ref('int_kpi__lead_responses') }}
    group by created_date, manager_id, team_id, channel_code
),

event_contact_parts as (
    select
        clients.created_date as measure_date,
        clients.owner_manager_id as manager_id,
        owner_versions.team_id,
        'unattributed' as channel_code,
        {{ kpi_measure_columns({'event_contacts': 'count(*)'}) }}
    from {{ ref('dim_clients') }} as clients
    {{ join_manager_version_at(
        'clients.owner_manager_id', 'clients.created_at', 'owner_versions'
    ) }}
    where clients.acquisition_source in ('event', 'networking')
    group by clients.created_date, clients.owner_manager_id, owner_versions.team_id
),

activities as (
    select
        activity_id,
        activity_type,
        direction,
        activity_status,
        purpose,
        manager_id,
        team_id,
        channel_code,
        client_id,
        lead_id,
        with_decision_maker,
        is_completed,
        created_at,
        created_date,
        event_at,
        event_date
    from {{ ref('fct_activities') }}
),

activity_parts as (
    select
        event_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'call_attempts': "sum(case when activity_type = 'call' and direction = 'outbound'
                and activity_status in ('completed', 'no_answer') then 1 else 0 end)",
            'calls_connected': "sum(case when activity_type = 'call'
                and direction = 'outbound' and is_completed then 1 else 0 end)",
            'emails_sent': "sum(case when activity_type = 'email'
                and direction = 'outbound' and is_completed then 1 else 0 end)",
            'meetings_held': "sum(case when activity_type = 'meeting'
                and is_completed then 1 else 0 end)",
            'presentations_held': "sum(case when activity_type = 'presentation'
                and is_completed then 1 else 0 end)",
            'decision_maker_meetings': "sum(case when activity_type in ('meeting', 'presentation')
                and is_completed and with_decision_maker then 1 else 0 end)",
            'regulated_contacts': "sum(case when purpose in ('greeting', 'survey')
                and is_completed then 1 else 0 end)",
        }) }}
    from activities
    group by event_date, manager_id, team_id, channel_code
),

-- Booked meetings count when they are booked, for the team of that moment.
scheduled_meeting_parts as (
    select
        activities.created_date as measure_date,
        activities.manager_id,
        booking_versions.team_id,
        activities.channel_code,
        {{ kpi_measure_columns({'meetings_scheduled': 'count(*)'}) }}
    from activities
    {{ join_manager_version_at(
        'activities.manager_id', 'activities.created_at', 'booking_versions'
    ) }}
    where activities.activity_type in ('meeting', 'presentation')
    group by
        activities.created_date,
        activities.manager_id,
        booking_versions.team_id,
        activities.channel_code
),

-- The first completed activity with each client (or lead without a client): found
-- by aggregation rather than a window over every activity, which costs a sort.
touched_activities as (
    select
        activity_id,
        event_at,
        event_date,
        manager_id,
        team_id,
        channel_code,
        coalesce(client_id, {{ dbt.concat(["'lead:'", 'lead_id']) }}) as touched_key
    from activities
    where is_completed and (client_id is not null or lead_id is not null)
),

first_touch_times as (
    select
        touched_key,
        min(event_at) as first_event_at
    from touched_activities
    group by touched_key
),

first_touch_ids as (
    select
        touched_activities.touched_key,
        min(touched_activities.activity_id) as activity_id
    from touched_activities
    inner join first_touch_times
        on
            touched_activities.touched_key = first_touch_times.touched_key
            and touched_activities.event_at = first_touch_times.first_event_at
    group by touched_activities.touched_key
),

touches as (
    select touched_activities.*
    from touched_activities
    inner join first_touch_ids
        on
            touched_activities.touched_key = first_touch_ids.touched_key
            and touched_activities.activity_id = first_touch_ids.activity_id
),

first_touch_parts as (
    select
        event_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'first_touches': 'count(*)'}) }}
    from touches
    group by event_date, manager_id, team_id, channel_code
),

proposals as (
    select
        manager_id,
        team_id,
        channel_code,
        sent_date,
        reviewed_at,
        reviewed_date
    from {{ ref('fct_proposals') }}
),

sent_proposal_parts as (
    select
        sent_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'proposals_sent': 'count(*)'}) }}
    from proposals
    group by sent_date, manager_id, team_id, channel_code
),

-- A review counts for the team of the moment it happened, not of the sending.
reviewed_proposal_parts as (
    select
        proposals.reviewed_date as measure_date,
        proposals.manager_id,
        review_versions.team_id,
        proposals.channel_code,
        {{ kpi_measure_columns({'proposals_reviewed': 'count(*)'}) }}
    from proposals
    {{ join_manager_version_at(
        'proposals.manager_id', 'proposals.reviewed_at', 'review_versions'
    ) }}
    where proposals.reviewed_date is not null
    group by
        proposals.reviewed_date,
        proposals.manager_id,
        review_versions.team_id,
        proposals.channel_code
),

contract_parts as (
    select
        signed_on as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'contracts_signed': 'count(*)'}) }}
    from {{ ref('fct_contracts') }}
    group by signed_on, manager_id, team_id, channel_code
),

survey_parts as (
    select
        responded_date as measure_date,
        manager_id,
        team_id,
        -- A survey without a deal has no channel: it counts as unattributed.
        coalesce(channel_code, 'unattributed') as channel_code,
        {{ kpi_measure_columns({
            'survey_responses': 'count(*)',
            'nps_responses': 'count(nps_score)',
            'nps_promoters': 'sum(case when nps_score >= 9 then 1 else 0 end)',
            'nps_detractors': 'sum(case when nps_score <= 6 then 1 else 0 end)',
            'csat_responses': 'count(csat_score)',
            'csat_total': 'coalesce(sum(csat_score), 0)',
        }) }}
    from {{ ref('fct_surveys') }}
    group by responded_date, manager_id, team_id, coalesce(channel_code, 'unattributed')
),

stage_skip_parts as (
    select
        changed_date as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'stage_skips': 'count(*)'}) }}
    from {{ ref('fct_deal_stage_changes') }}
    where is_stage_skip
    group by changed_date, manager_id, team_id, channel_code
),

plan_parts as (
    select
        plan_month as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({
            'revenue_plan_all_channels':
                'sum(case when is_all_channels then revenue_plan_reporting else 0 end)',
            'revenue_plan_by_channel':
                'sum(case when is_all_channels then 0 else revenue_plan_reporting end)',
            'deals_plan_all_channels':
                'sum(case when is_all_channels then deals_plan else 0 end)',
            'deals_plan_by_channel':
                'sum(case when is_all_channels then 0 else deals_plan end)',
            'margin_plan_all_channels':
                'sum(case when is_all_channels then margin_plan_reporting else 0 end)',
            'margin_plan_by_channel':
                'sum(case when is_all_channels then 0 else margin_plan_reporting end)',
        }) }}
    from {{ ref('fct_sales_plans') }}
    group by plan_month, manager_id, team_id, channel_code
),

expense_parts as (
    select
        expense_month as measure_date,
        manager_id,
        team_id,
        channel_code,
        {{ kpi_measure_columns({'cost_of_sales': 'sum(amount_reporting)'}) }}
    from {{ ref('fct_sales_expenses') }}
    group by expense_month, manager_id, team_id, channel_code
),

all_parts as (
    select * from payment_parts
    union all
    select * from new_customer_parts
    union all
    select * from invoice_parts
    union all
    select * from invoice_line_parts
    union all
    select * from created_deal_parts
    union all
    select * from closed_deal_parts
    union all
    select * from sales_cycle_parts
    union all
    select * from created_lead_parts
    union all
    select * from qualified_lead_parts
    union all
    select * from lead_response_parts
    union all
    select * from event_contact_parts
    union all
    select * from activity_parts
    union all
    select * from scheduled_meeting_parts
    union all
    select * from first_touch_parts
    union all
    select * from sent_proposal_parts
    union all
    select * from reviewed_proposal_parts
    union all
    select * from contract_parts
    union all
    select * from survey_parts
    union all
    select * from stage_skip_parts
    union all
    select * from plan_parts
    union all
    select * from expense_parts
)

select
    measure_date,
    manager_id,
    team_id,
    channel_code,
    {{ sum_kpi_measures() }}
from all_parts
group by measure_date, manager_id, team_id, channel_code
