-- Sales channels from the reference seed, plus `unattributed` for activities that
-- belong to neither a deal nor a lead.
select
    channel_code,
    name_en,
    name_ru,
    description,
    false as is_unattributed
from {{ ref('sales_channels') }}
union all
select
    'unattributed' as channel_code,
    'Unattributed' as name_en,
    'Без канала' as name_ru,
    'Activities with neither a deal nor a lead, so no channel' as description,
    true as is_unattributed
