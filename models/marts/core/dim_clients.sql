-- Customers and prospects. Personal data (e-mail, phone) stops in staging and
-- never reaches the marts.
select
    client_id,
    client_name,
    industry,
    segment,
    is_key_account,
    is_vip,
    is_target_segment,
    acquisition_source,
    owner_manager_id,
    created_at,
    {{ to_local_date('created_at') }} as created_date
from {{ ref('stg_crm__clients') }}
