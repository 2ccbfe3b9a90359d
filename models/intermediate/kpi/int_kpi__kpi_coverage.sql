-- Whether each KPI of the catalogue can be computed from the tables the warehouse has:
-- its `requires` (seed kpi_catalogue) name contract tables, or optional columns of
-- them as `table.column`, of which only the table is checked here (an optional column
-- that an export lacks loads as NULL and is not told apart; `salesdw coverage` checks
-- it in the mapping).
with requirements as (
    select
        catalogue.kpi_code,
        split_part(trim(requirement.requirement), '.', 1) as contract_table
    from {{ ref('kpi_catalogue') }} as catalogue
    cross join unnest(string_split(catalogue.requires, ';')) as requirement (requirement)
),

checked as (
    select distinct
        requirements.kpi_code,
        requirements.contract_table,
        coverage.contract_table is not null as is_loaded
    from requirements
    left join {{ ref('int_kpi__source_coverage') }} as coverage
        on requirements.contract_table = coverage.contract_table
)

select
    kpi_code,
    bool_and(is_loaded) as is_computable,
    coalesce(
        string_agg(contract_table, ';' order by contract_table) filter (where not is_loaded),
        ''
    ) as missing_tables
from checked
group by kpi_code
