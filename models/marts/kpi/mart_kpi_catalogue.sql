{{ config(alias='kpi_catalogue') }}

-- The KPI catalogue (seed kpi_catalogue) for analysts and BI tools: what each column
-- of the KPI marts and each kpi_code of kpi_long means, and whether this warehouse
-- has the data it needs (a KPI whose tables are missing is NULL in every mart).
select
    catalogue.kpi_code,
    catalogue.name_en,
    catalogue.name_ru,
    catalogue.category,
    catalogue.unit,
    catalogue.higher_is_better,
    catalogue.aggregation,
    catalogue.definition,
    catalogue.source_articles,
    catalogue.requires,
    coverage.is_computable,
    coverage.missing
from {{ ref('kpi_catalogue') }} as catalogue
inner join {{ ref('int_kpi__kpi_coverage') }} as coverage
    on catalogue.kpi_code = coverage.kpi_code
