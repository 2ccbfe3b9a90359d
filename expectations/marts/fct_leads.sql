-- fct_leads with the order of its timestamps and whether a converted lead names its deal.
select
    lead_id,
    channel_code,
    lead_status,
    created_date,
    qualified_at is null or qualified_at >= created_at as is_qualified_after_created,
    converted_at is null or deal_id is not null as has_deal_if_converted
from marts.fct_leads
