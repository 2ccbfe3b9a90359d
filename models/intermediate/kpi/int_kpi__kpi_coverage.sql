-- Whether each KPI of the catalogue can be computed from what the warehouse holds. Its
-- `requires` (seed kpi_catalogue) name contract tables, which need a loaded file
-- (int_kpi__source_coverage), and optional columns as `table.column`, which need a
-- value in at least one loaded row (int_kpi__column_coverage).
with requirements as (
    select
        catalogue.kpi_code,
        trim(requirement.requirement) as requirement,
        split_part(trim(requirement.requirement), '.', 1) as contract_table,
        nullif(split_part(trim(requirement.requirement), '.', 2), '') as column_name
    from {{ ref('kpi_catalogue') }} as catalogue
    cross join unnest(string_split(catalogue.requires, ';')) as requirement (requirement)
),

checked as (
    select distinct
        requirements.kpi_code,
        requirements.requirement,
        loaded_tables.contract_table is not null
        and (requirements.column_name is null or filled_columns.filled_rows > 0) as is_met
    from requirements
    left join {{ ref('int_kpi__source_coverage') }} as loaded_tables
        on requirements.contract_table = loaded_tables.contract_table
    left join {{ ref('int_kpi__column_coverage') }} as filled_columns
        on
            requirements.contract_table = filled_columns.contract_table
            and requirements.column_name = filled_columns.column_name
)

select
    kpi_code,
    bool_and(is_met) as is_computable,
    coalesce(
        string_agg(requirement, ';' order by requirement) filter (where not is_met), ''
    ) as missing
from checked
group by kpi_code
