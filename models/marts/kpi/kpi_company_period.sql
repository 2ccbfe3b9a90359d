-- Every KPI for the whole company per period of every grain, one column per kpi_code.
-- Includes what no manager owns: overhead expenses and money of deals deleted in the CRM.
select
    period_grain,
    period_start,
    period_end,
    {%- for code in kpi_codes() %}
        {{ code }}{% if not loop.last %},{% endif %}
    {%- endfor %}
from {{ ref('int_kpi__entity_periods') }}
where entity_type = 'company'
