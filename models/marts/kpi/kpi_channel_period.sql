-- Every KPI per sales channel and period of every grain, one column per kpi_code.
-- Activities with neither a deal nor a lead, and contacts from events, count for the
-- channel `unattributed`.
with values_by_channel as (
    select * from {{ ref('int_kpi__entity_periods') }}
    where entity_type = 'channel'
)

select
    values_by_channel.entity_id as channel_code,
    channels.name_en as channel_name,
    values_by_channel.period_grain,
    values_by_channel.period_start,
    values_by_channel.period_end,
    {%- for code in kpi_codes() %}
        values_by_channel.{{ code }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from values_by_channel
left join {{ ref('dim_channels') }} as channels
    on values_by_channel.entity_id = channels.channel_code
