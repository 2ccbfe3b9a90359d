"""Publishing the marts: a serving file for BI tools, swapped in atomically.

BI tools and analysts never open the pipeline's warehouse: DuckDB allows one writer
or many readers per file, never both, so a dashboard holding the warehouse open would
block the next build. They read a copy of the ``marts`` schema instead, written into a
new file beside the serving file and renamed over it in one step. A reader that still
holds the old file open keeps reading the old file until it reconnects; a process with
no connection left to the old file opens the new one; nobody ever sees half a file.
(DuckDB shares one open database per path within a process: a connection pool, a
notebook kernel or Metabase keeps the old data until its last connection closes.)

The tables land in the serving file's default schema, ``main``. Opened as it is
named, ``marts.duckdb`` is the catalog ``marts``, so ``marts.kpi_long`` means the
same table there as in the warehouse's ``marts`` schema; a schema ``marts`` inside a
catalog ``marts`` would make every such name ambiguous to DuckDB, and to BI tools.
"""

import logging
import os
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
from dagster._core.definitions.asset_checks.asset_check_evaluation import AssetCheckEvaluation
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from orchestration.pipeline.resources import WAREHOUSE_POOL, WarehouseBusyRetry
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.settings import Settings
from orchestration.summary import format_summary, latest_month_summary

logger = logging.getLogger(__name__)

PUBLISHED_SCHEMA = "marts"
SERVING_SCHEMA = "main"
STORAGE_VERSION = "v1.4.0"
"""The oldest DuckDB that must open the file: the Metabase driver bundles 1.4 and 1.5."""

STALE_TEMPORARY_SECONDS = 24 * 3600
"""A half-written serving file this old belongs to a publish that was killed."""

_VIEWS = """
    select view_name
    from duckdb_views()
    where database_name = 'warehouse' and schema_name = ? and not internal
"""
_TABLES = """
    select table_name, comment
    from duckdb_tables()
    where database_name = 'warehouse' and schema_name = ?
    order by table_name
"""
_HUGEINT_COLUMNS = """
    select table_name || '.' || column_name
    from duckdb_columns()
    where database_name = 'warehouse' and schema_name = ? and data_type = 'HUGEINT'
"""
_COLUMN_COMMENTS = """
    select table_name, column_name, comment
    from duckdb_columns()
    where database_name = 'warehouse' and schema_name = ? and comment is not null
    order by table_name, column_index
"""


@dataclass(frozen=True)
class PublishedFile:
    path: Path
    size_bytes: int
    row_counts: dict[str, int]
    """Rows of every published table, by table name."""


def _temporary_path(serving_path: Path) -> Path:
    """A new file in the serving file's folder: a rename within one file system is
    atomic, a move across file systems is a copy."""
    return serving_path.with_name(f".{serving_path.name}.{uuid.uuid4().hex}.tmp")


def _copy_schema(connection: duckdb.DuckDBPyConnection, schema: str) -> dict[str, int]:
    """Copy every table of the warehouse's ``schema`` into the serving file, with the
    table and column descriptions dbt persisted, so DBeaver and Metabase show them."""
    views = [name for (name,) in connection.execute(_VIEWS, [schema]).fetchall()]
    if views:
        # A view would reach back into the warehouse, which BI tools must not open.
        raise RuntimeError(f"the {schema} schema must hold tables only; views: {views}")
    wide_integers = connection.execute(_HUGEINT_COLUMNS, [schema]).fetchall()
    if wide_integers:
        # DuckDB 1.x clients and BI drivers map HUGEINT poorly; the contract forbids it.
        raise RuntimeError(f"HUGEINT columns must be cast in the models: {wide_integers}")
    tables = connection.execute(_TABLES, [schema]).fetchall()
    if not tables:
        raise RuntimeError(f"the warehouse has no tables in schema {schema!r}: build it first")
    quoted_schema = quote_identifier(schema)
    row_counts: dict[str, int] = {}
    for table_name, comment in tables:
        target = f"serving.{SERVING_SCHEMA}.{quote_identifier(table_name)}"
        connection.execute(
            f"create table {target} as "
            f"select * from warehouse.{quoted_schema}.{quote_identifier(table_name)}"
        )
        if comment:
            connection.execute(f"comment on table {target} is {quote_literal(comment)}")
        (row_counts[table_name],) = connection.execute(f"select count(*) from {target}").fetchall()[
            0
        ]
    for table_name, column_name, comment in connection.execute(
        _COLUMN_COMMENTS, [schema]
    ).fetchall():
        connection.execute(
            f"comment on column serving.{SERVING_SCHEMA}.{quote_identifier(table_name)}."
            f"{quote_identifier(column_name)} is {quote_literal(comment)}"
        )
    return row_counts


def _remove_stale_temporaries(serving_path: Path, now: float) -> None:
    """Half-written files of publishes killed before they could clean up (a publish
    running now in another process is younger than a day)."""
    for leftover in serving_path.parent.glob(f".{serving_path.name}.*.tmp*"):
        if now - leftover.stat().st_mtime > STALE_TEMPORARY_SECONDS:
            logger.warning("removing %s, left by an interrupted publish", leftover)
            leftover.unlink(missing_ok=True)


def _remove_stale_wal(serving_path: Path) -> None:
    """A WAL beside the serving file belongs to the previous file (someone opened it
    read-write and was killed): DuckDB would replay it into the new file and refuse
    to open it."""
    wal = serving_path.with_name(serving_path.name + ".wal")
    if wal.exists():
        logger.warning("removing %s, left by a writer of the previous serving file", wal)
        wal.unlink()


def _fsync(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def publish_marts(
    warehouse_path: Path, serving_path: Path, schema: str = PUBLISHED_SCHEMA
) -> PublishedFile:
    """Copy ``schema`` of the warehouse into a new serving file and swap it in.

    Any failure before the rename leaves the previous serving file as it was, byte
    for byte, and removes the half-written one."""
    if not warehouse_path.is_file():
        raise FileNotFoundError(f"warehouse {warehouse_path} does not exist: build it first")
    serving_path.parent.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(serving_path, time.time())
    temporary = _temporary_path(serving_path)
    try:
        with duckdb.connect() as connection:
            # No progress bar of DuckDB's on the terminal of `salesdw run`.
            connection.execute("set TimeZone = 'UTC'; set enable_progress_bar = false")
            connection.execute(
                f"attach {quote_literal(str(warehouse_path))} as warehouse (read_only)"
            )
            connection.execute(
                f"attach {quote_literal(str(temporary))} as serving "
                f"(storage_version {quote_literal(STORAGE_VERSION)})"
            )
            row_counts = _copy_schema(connection, schema)
            connection.execute("checkpoint serving")
            connection.execute("detach serving")
        _fsync(temporary)
        _remove_stale_wal(serving_path)
        temporary.replace(serving_path)
        _fsync(serving_path.parent)
    finally:
        temporary.unlink(missing_ok=True)
        temporary.with_name(temporary.name + ".wal").unlink(missing_ok=True)
    size_bytes = serving_path.stat().st_size
    logger.info(
        "published %d tables (%d rows, %.1f MiB) to %s",
        len(row_counts),
        sum(row_counts.values()),
        size_bytes / 2**20,
        serving_path,
    )
    return PublishedFile(serving_path, size_bytes, row_counts)


SERVING_KEY = dg.AssetKey(["serving", "marts_duckdb"])


def latest_month_metadata(serving_path: Path, currency: str) -> dict[str, object]:
    """The company's latest full month, as read back from the published file; a KPI
    the dataset cannot give (NULL, e.g. revenue without payments) is left out."""
    summary = latest_month_summary(serving_path)
    if summary is None:
        return {"latest_full_month": "none yet"}
    company = summary.company
    figures = {
        f"revenue_{currency.lower()}": company.revenue,
        f"revenue_plan_{currency.lower()}": company.revenue_plan,
        "plan_attainment_pct": company.plan_attainment_pct,
        "deals_won": company.deals_won,
        "win_rate_pct": company.win_rate_pct,
        "new_customers": company.new_customers,
    }
    return {
        "latest_full_month": f"{summary.month:%Y-%m}",
        **{
            name: float(value) if isinstance(value, Decimal) else value
            for name, value in figures.items()
            if value is not None
        },
        "summary": dg.MetadataValue.md(f"```\n{format_summary(summary, currency)}\n```"),
    }


@dataclass(frozen=True)
class Refusals:
    """Blocking checks whose latest execution, in any run, keeps publication back."""

    failed: list[dg.AssetCheckKey]
    """Failed with severity ERROR."""
    unfinished: list[dg.AssetCheckKey]
    """Planned in an earlier run that ended before they ran (their step raised, or an
    upstream check stopped it): what they guard was never validated."""

    @property
    def keys(self) -> list[dg.AssetCheckKey]:
        return [*self.failed, *self.unfinished]

    def message(self) -> str:
        def named(keys: list[dg.AssetCheckKey], most: int) -> str:
            shown = ", ".join(key.to_user_string() for key in keys[:most])
            return shown + (f" and {len(keys) - most} more" if len(keys) > most else "")

        parts = [f"failed: {named(self.failed, 10)}"] if self.failed else []
        if self.unfinished:
            parts.append(f"never finished: {named(self.unfinished, 5)}")
        return (
            f"not published: {len(self.failed)} blocking checks failed and "
            f"{len(self.unfinished)} never finished in their latest run; the serving file "
            "keeps the last good data. Fix the data and rebuild. " + "; ".join(parts)
        )


def blocking_refusals(
    instance: dg.DagsterInstance,
    check_keys: Sequence[dg.AssetCheckKey],
    current_run_id: str | None = None,
) -> Refusals:
    """A blocking check that only warned does not hold publication back, nor does one
    still planned in the run that publishes."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(check_keys)
    by_name = sorted(latest.items(), key=lambda item: item[0].to_user_string())
    return Refusals(
        failed=[key for key, record in by_name if _failed_with_error(record)],
        unfinished=[
            key
            for key, record in by_name
            if record.status is AssetCheckExecutionRecordStatus.PLANNED
            and record.run_id != current_run_id
        ],
    )


def _failed_with_error(record: AssetCheckExecutionRecord) -> bool:
    if record.status is not AssetCheckExecutionRecordStatus.FAILED:
        return False
    dagster_event = record.event.dagster_event if record.event else None
    evaluation = dagster_event.event_specific_data if dagster_event else None
    return not isinstance(evaluation, AssetCheckEvaluation) or (
        evaluation.severity is dg.AssetCheckSeverity.ERROR
    )


def publish_asset(
    mart_keys: Sequence[dg.AssetKey], blocking_checks: Sequence[dg.AssetCheckKey]
) -> dg.AssetsDefinition:
    """The serving file as an asset downstream of every mart, so it is written only
    when the whole build before it, blocking checks included, succeeded.

    Within a run, a failed blocking check stops the build step and so this one. A run
    of this asset alone, after such a run, must not publish what the checks refused:
    it looks up the latest result of every blocking check first."""

    @dg.asset(
        key=SERVING_KEY,
        deps=mart_keys,
        group_name="serving",
        kinds={"duckdb"},
        pool=WAREHOUSE_POOL,
        description=(
            "The `marts` schema copied into the file BI tools and analysts open "
            "(SALESDW_MARTS_PATH, default `warehouse/marts.duckdb`), readable by DuckDB 1.4 "
            "and newer, swapped in atomically."
        ),
    )
    def publish_marts_file(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
        settings = Settings()
        refusals = blocking_refusals(context.instance, blocking_checks, context.run.run_id)
        if refusals.keys:
            raise dg.Failure(
                description=refusals.message(),
                metadata={
                    "failed_blocking_checks": len(refusals.failed),
                    "unfinished_blocking_checks": len(refusals.unfinished),
                },
            )
        with WarehouseBusyRetry(context.log):
            published = publish_marts(settings.warehouse_path, settings.marts_path)
        return dg.MaterializeResult(
            metadata={
                "path": dg.MetadataValue.path(str(published.path)),
                "size_mib": round(published.size_bytes / 2**20, 1),
                "tables": len(published.row_counts),
                "dagster/row_count": sum(published.row_counts.values()),
                "rows_by_table": dg.MetadataValue.md(
                    "| table | rows |\n|---|---:|\n"
                    + "\n".join(
                        f"| {name} | {rows:,} |" for name, rows in published.row_counts.items()
                    )
                ),
                **latest_month_metadata(published.path, settings.reporting_currency),
            }
        )

    return publish_marts_file
