-- Why deals are lost, and whether the manager could have prevented it.
select
    lost_reason_code,
    name_en,
    name_ru,
    is_manager_fault
from {{ ref('lost_reasons') }}
