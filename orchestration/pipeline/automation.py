"""When the pipeline runs by itself: every day at a fixed local time, and whenever new
files land.

Both start the whole graph. Ingestion loads only files it has not loaded before, and
dbt's incremental facts apply only what changed, so a run for one new file costs
about as much as that file; a narrower selection would risk an incremental fact
built against a dimension that has not seen the new data.
"""

import hashlib
import json
from pathlib import Path

import dagster as dg
import duckdb

from orchestration.pipeline.resources import is_lock_conflict
from orchestration.raw.landing import extract_paths
from orchestration.raw.warehouse import LEDGER
from orchestration.settings import Settings

PIPELINE_JOB_NAME = "salesdw_pipeline"
MAX_RUN_RETRIES = 2
SENSOR_INTERVAL_SECONDS = 60
_NAMED_FILES = 10

pipeline_job = dg.define_asset_job(
    PIPELINE_JOB_NAME,
    selection=dg.AssetSelection.all(),
    description=(
        "Landing files -> raw tables -> dbt seeds, staging, facts, dimensions, KPI marts "
        "and their tests -> the serving file for BI tools."
    ),
    tags={
        # A run that died (a killed worker, a machine restart) is retried whole; a step
        # that failed on bad data is not: a retry would fail the same way.
        "dagster/max_retries": str(MAX_RUN_RETRIES),
        "dagster/retry_strategy": "FROM_FAILURE",
        "dagster/retry_on_asset_or_op_failure": "false",
    },
)


def daily_schedule(settings: Settings) -> dg.ScheduleDefinition:
    return dg.ScheduleDefinition(
        name="daily_refresh",
        job=pipeline_job,
        cron_schedule=settings.daily_run_cron,
        execution_timezone=settings.reporting_time_zone,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=(
            f"The whole pipeline at `{settings.daily_run_cron}` "
            f"({settings.reporting_time_zone}); SALESDW_DAILY_RUN_CRON moves it."
        ),
    )


def landing_fingerprints(landing_dir: Path) -> dict[str, str]:
    """``size:mtime`` of every extract by its path in the landing folder: a change of
    either means a new or rewritten file, without reading a byte of it."""
    fingerprints = {}
    for _, path in extract_paths(landing_dir):
        status = path.stat()
        fingerprints[path.relative_to(landing_dir).as_posix()] = (
            f"{status.st_size}:{status.st_mtime_ns}"
        )
    return fingerprints


def loaded_sizes(warehouse_path: Path) -> dict[str, int]:
    """Size of every file the ledger has loaded or refused, by path (read-only)."""
    if not warehouse_path.is_file():
        return {}
    with duckdb.connect(str(warehouse_path), read_only=True) as connection:
        if not connection.execute(
            "select count(*) from duckdb_tables() "
            "where schema_name = 'raw' and table_name = 'ingest_ledger'"
        ).fetchall()[0][0]:
            return {}
        rows = connection.execute(f"select path, size_bytes from {LEDGER}").fetchall()
    return dict(rows)


def new_files(current: dict[str, str], cursor: str | None, warehouse_path: Path) -> list[str]:
    """Paths of ``current`` not seen before: by the cursor of the last tick, or on the
    first tick by the ingestion's ledger (so starting the sensor on a loaded warehouse
    does not re-run it)."""
    if cursor is not None:
        seen = json.loads(cursor)
        return sorted(
            path for path, fingerprint in current.items() if seen.get(path) != fingerprint
        )
    sizes = loaded_sizes(warehouse_path)
    return sorted(
        path
        for path, fingerprint in current.items()
        if sizes.get(path) != int(fingerprint.split(":", 1)[0])
    )


@dg.sensor(
    name="new_landing_files",
    job=pipeline_job,
    minimum_interval_seconds=SENSOR_INTERVAL_SECONDS,
    default_status=dg.DefaultSensorStatus.RUNNING,
    description="Starts the pipeline when files are added to or rewritten in the landing folder.",
)
def new_landing_files(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    settings = Settings()
    if not settings.landing_dir.is_dir():
        return dg.SkipReason(f"landing folder {settings.landing_dir} does not exist")
    current = landing_fingerprints(settings.landing_dir)
    try:
        arrived = new_files(current, context.cursor, settings.warehouse_path)
    except duckdb.IOException as error:
        if is_lock_conflict(error):
            return dg.SkipReason("the warehouse is being written; looking again next tick")
        raise
    cursor = json.dumps(current, sort_keys=True)
    if not arrived:
        return dg.SensorResult(skip_reason="no new landing files", cursor=cursor)
    named = ", ".join(arrived[:_NAMED_FILES]) + (" …" if len(arrived) > _NAMED_FILES else "")
    context.log.info("%d new landing files: %s", len(arrived), named)
    run_key = hashlib.sha256(
        json.dumps({path: current[path] for path in arrived}, sort_keys=True).encode()
    ).hexdigest()
    return dg.SensorResult(
        run_requests=[
            dg.RunRequest(run_key=run_key, tags={"salesdw/new_files": str(len(arrived))})
        ],
        cursor=cursor,
    )
