"""salesdw: a sales KPI warehouse on dbt, DuckDB, Dagster and Great Expectations."""
