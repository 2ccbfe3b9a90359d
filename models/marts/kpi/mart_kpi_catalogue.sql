{{ config(alias='kpi_catalogue') }}

-- The KPI catalogue (seed kpi_catalogue) for analysts and BI tools: what each column
-- of the KPI marts and each kpi_code of kpi_long means.
select
    kpi_code,
    name_en,
    name_ru,
    category,
    unit,
    higher_is_better,
    aggregation,
    definition,
    source_articles
from {{ ref('kpi_catalogue') }}
