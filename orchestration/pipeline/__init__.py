"""The pipeline as Dagster assets, by concern: ingestion, the dbt build, publication
of the serving file, and the schedule and sensor that start it."""
