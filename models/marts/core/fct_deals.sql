{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='deal_id',
) }}

-- One row per deal (opportunity) in its latest state. The amount converts at the
-- rate of the close date for a closed deal (when it books) and of the creation date
-- for an open one.
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'deals', 'deal_id') }}
    union
    select candidates.deal_id
    from {{ ref('stg_crm__deals') }} as candidates
    where {{ parent_changed('candidates.manager_id', 'crm', 'managers') }}
    union
    {{ keys_with_changed_rate(
        ref('stg_crm__deals'), 'deal_id', 'currency',
        to_local_date('coalesce(with_rate.closed_at, with_rate.created_at)')
    ) }}
),
{% endif %}

deals as (
    select
        *,
        {{ to_local_date('created_at') }} as created_date,
        {{ to_local_date('closed_at') }} as closed_date
    from {{ ref('stg_crm__deals') }}
    {% if is_incremental() %}
        where deal_id in (select changed_key from changed_keys)
    {% endif %}
),

deals_enriched as (
    select
        deals.deal_id,
        deals.lead_id,
        deals.client_id,
        deals.manager_id,
        created_team.team_id,
        closed_team.team_id as closed_team_id,
        deals.channel_code,
        deals.stage_code,
        deals.deal_status,
        deals.deal_status = 'won' as is_won,
        deals.deal_status = 'lost' as is_lost,
        deals.deal_status = 'open' as is_open,
        deals.lost_reason_code,
        deals.is_competitive,
        deals.created_at,
        deals.created_date,
        deals.closed_at,
        deals.closed_date,
        deals.amount,
        deals.currency,
        fx.rate_to_reporting as fx_rate,
        {{ to_reporting_currency('deals.amount', 'fx.rate_to_reporting') }} as amount_reporting,
        deals.updated_at
    from deals
    {{ join_manager_version_at('deals.manager_id', 'deals.created_at', 'created_team') }}
    {{ join_manager_version_at(
        'deals.manager_id', 'deals.closed_at', 'closed_team'
    ) }}
    {{ join_fx_rate_on('deals.currency', 'coalesce(deals.closed_date, deals.created_date)', 'fx') }}
)

{{ with_tombstones('deals_enriched', 'deal_id') }}
