"""The Dagster code location of the warehouse: ``dagster dev`` from the repository
root loads ``defs`` (see ``[tool.dagster]`` in pyproject.toml).

Landing files -> raw tables -> dbt seeds, staging, intermediate models, facts,
dimensions and KPI marts, with dbt's tests and the Great Expectations suites as asset
checks -> the serving file.
"""

from __future__ import annotations

import dagster as dg

from orchestration.pipeline.automation import daily_schedule, new_landing_files, pipeline_job
from orchestration.pipeline.dbt_models import (
    blocking_check_keys,
    dbt_build,
    dbt_resource,
    mart_keys,
)
from orchestration.pipeline.ingest import ingest_landing_files
from orchestration.pipeline.publish import publish_asset
from orchestration.pipeline.quality import blocking_keys, quality_checks
from orchestration.settings import Settings

suite_checks = quality_checks()

defs = dg.Definitions(
    assets=[
        ingest_landing_files,
        dbt_build,
        publish_asset(
            mart_keys(dbt_build), [*blocking_check_keys(dbt_build), *blocking_keys(suite_checks)]
        ),
    ],
    asset_checks=suite_checks,
    jobs=[pipeline_job],
    schedules=[daily_schedule(Settings())],
    sensors=[new_landing_files],
    resources={"dbt": dbt_resource()},
)
