-- The KPI catalogue with whether each KPI has its column in every wide KPI mart.
with catalogue as (
    select * from marts.kpi_catalogue
),

mart_columns as (
    select
        column_name,
        count(*) as marts_with_column
    from duckdb_columns()
    where
        schema_name = 'marts'
        and table_name in (
            'kpi_manager_period', 'kpi_team_period', 'kpi_channel_period', 'kpi_company_period'
        )
    group by column_name
)

select
    catalogue.kpi_code,
    catalogue.name_en,
    catalogue.unit,
    catalogue.category,
    catalogue.higher_is_better,
    catalogue.is_computable,
    coalesce(mart_columns.marts_with_column, 0) as marts_with_column
from catalogue
left join mart_columns
    on catalogue.kpi_code = mart_columns.column_name
