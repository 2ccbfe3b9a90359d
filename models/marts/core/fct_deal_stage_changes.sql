{{ config(
    materialized='incremental',
    incremental_strategy='replace_keys',
    unique_key='change_id',
) }}

-- One row per move of a deal between pipeline stages, with how many stages it
-- jumped (a skip jumps forward over a stage; a loss is never a skip).
with
{% if is_incremental() %}
changed_keys as (
    {{ keys_loaded_since_watermark('crm', 'deal_stage_changes', 'change_id') }}
    union
    select candidates.change_id
    from {{ ref('stg_crm__deal_stage_changes') }} as candidates
    where
        {{ parent_changed('candidates.manager_id', 'crm', 'managers') }}
        or {{ parent_changed('candidates.deal_id', 'crm', 'deals') }}
),
{% endif %}

stage_changes as (
    select * from {{ ref('stg_crm__deal_stage_changes') }}
    {% if is_incremental() %}
        where change_id in (select changed_key from changed_keys)
    {% endif %}
),

deals as (
    select
        deal_id,
        channel_code
    from {{ ref('stg_crm__deals') }}
),

stages as (
    select
        stage_code,
        stage_order,
        is_closed and not is_won as is_lost_stage
    from {{ ref('deal_stages') }}
),

stage_changes_enriched as (
    select
        stage_changes.change_id,
        stage_changes.deal_id,
        stage_changes.manager_id,
        manager_at_change.team_id,
        deals.channel_code,
        stage_changes.from_stage,
        from_stages.stage_order as from_stage_order,
        stage_changes.to_stage,
        to_stages.stage_order as to_stage_order,
        to_stages.stage_order - from_stages.stage_order as stage_steps,
        -- Losing a deal ends it from any stage; only a forward jump over a stage skips.
        coalesce(
            to_stages.stage_order - from_stages.stage_order > 1 and not to_stages.is_lost_stage,
            false
        ) as is_stage_skip,
        stage_changes.changed_at,
        {{ to_local_date('stage_changes.changed_at') }} as changed_date
    from stage_changes
    left join deals
        on stage_changes.deal_id = deals.deal_id
    left join stages as from_stages
        on stage_changes.from_stage = from_stages.stage_code
    left join stages as to_stages
        on stage_changes.to_stage = to_stages.stage_code
    {{ join_manager_version_at(
        'stage_changes.manager_id', 'stage_changes.changed_at', 'manager_at_change'
    ) }}
)

{{ with_tombstones('stage_changes_enriched', 'change_id') }}
