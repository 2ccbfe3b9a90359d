"""Benchmark of the pipeline: demo generation, ingestion, the dbt build, the
data-quality suites, and an incremental build after one more day of data lands.

Each step runs as its own process so its wall time and peak memory are its own
(dbt's child process included):

    .venv/bin/python benchmarks/pipeline.py --scale 10 --workdir /tmp/salesdw-bench

Writes the figures as JSON next to the data and logs a table.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.raw.contract import TABLES, Kind, Table
from orchestration.settings import PROJECT_ROOT

logger = logging.getLogger("benchmark")


@dataclass(frozen=True)
class StepFigures:
    step: str
    seconds: float
    peak_rss_mib: float


def _salesdw(*arguments: str) -> list[str]:
    return [sys.executable, "-m", "orchestration.cli", *arguments]


def _measure(step: str, command: list[str], environment: dict[str, str]) -> StepFigures:
    started = time.perf_counter()
    process = subprocess.Popen(command, env=environment)
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{step} failed: {' '.join(command)}")
    # ru_maxrss is in KiB on Linux.
    return StepFigures(step, round(seconds, 1), round(usage.ru_maxrss / 1024, 1))


def _next_day_sql(table: Table, connection: duckdb.DuckDBPyConnection) -> str | None:
    """A day's worth of new rows and re-sent versions for one table: the rows of its
    latest day, moved one day on; every other row becomes a new record (a new key),
    the rest re-send existing records with a newer version."""
    day_column = next(
        (c.name for c in table.columns if c.kind is Kind.TS and c.name == "updated_at"),
        next((c.name for c in table.columns if c.kind in (Kind.TS, Kind.DATE)), None),
    )
    if day_column is None or table.name in {"sales_plans", "sales_expenses", "managers"}:
        return None
    raw = f"raw.{table.raw_relation}"
    last_day_sql = f"select max(cast({day_column} as date)) from {raw}"
    last_day = connection.execute(last_day_sql).fetchone()[0]  # type: ignore[index]
    if last_day is None:
        return None
    moved = []
    for column in table.columns:
        if column.kind in (Kind.TS, Kind.DATE):
            moved.append(f"{column.name} + interval 1 day as {column.name}")
        elif len(table.key) == 1 and column.name == table.key[0]:
            moved.append(
                f"case when _row_number % 2 = 0 then {column.name} "
                f"else {column.name} || '-next' end as {column.name}"
            )
        else:
            moved.append(column.name)
    if table.deletable:
        moved.append("is_deleted")
    return (
        f"select {', '.join(moved)} from {raw} where cast({day_column} as date) = date '{last_day}'"
    )


def _land_next_day(landing: Path, warehouse: Path, name: str) -> int:
    rows = 0
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in TABLES:
            select_sql = _next_day_sql(table, connection)
            if select_sql is None:
                continue
            target = landing / table.qualified / f"{name}.parquet"
            connection.execute(f"copy ({select_sql}) to '{target}' (format parquet)")
            rows += pq.read_metadata(target).num_rows
    return rows


def _raw_row_counts(warehouse: Path) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select source || '/' || table_name, sum(rows_loaded) "
            "from raw.ingest_ledger group by all order by 1"
        ).fetchall()
    return {name: int(count) for name, count in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/salesdw-bench"))
    parser.add_argument("--keep", action="store_true", help="keep the data afterwards")
    arguments = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")

    workdir = arguments.workdir / f"scale-{arguments.scale:g}"
    shutil.rmtree(workdir, ignore_errors=True)
    landing, warehouse = workdir / "landing", workdir / "warehouse.duckdb"
    environment = {
        **os.environ,
        "SALESDW_LANDING_DIR": str(landing),
        "SALESDW_WAREHOUSE_PATH": str(warehouse),
        "SALESDW_MARTS_PATH": str(workdir / "marts.duckdb"),
        "SALESDW_QUALITY_DIR": str(workdir / "quality"),
        "DAGSTER_HOME": str(workdir / "dagster_home"),
    }
    (workdir / "dagster_home").mkdir(parents=True)
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", workdir / "dagster_home")
    scale = f"{arguments.scale:g}"
    steps = [
        _measure(
            "generate",
            _salesdw("generate", "--scale", scale, "--months", str(arguments.months)),
            environment,
        ),
        _measure("ingest", _salesdw("ingest"), environment),
        _measure("ingest again (nothing new)", _salesdw("ingest"), environment),
        _measure("dbt build (first, full)", _salesdw("build"), environment),
        _measure("dbt build again (nothing new)", _salesdw("build"), environment),
        _measure("validate the raw suites", _salesdw("validate", "--suite", "raw.*"), environment),
        _measure("validate every suite", _salesdw("validate"), environment),
        _measure("publish the serving file", _salesdw("publish"), environment),
        _measure("salesdw run via Dagster (nothing new)", _salesdw("run"), environment),
    ]
    rows = _raw_row_counts(warehouse)
    next_day_rows = _land_next_day(landing, warehouse, "next_day")
    steps += [
        _measure("ingest one more day", _salesdw("ingest"), environment),
        _measure("dbt build (incremental, one more day)", _salesdw("build"), environment),
        _measure("dbt build --full-refresh", _salesdw("build", "--full-refresh"), environment),
    ]
    _land_next_day(landing, warehouse, "day_after")
    steps.append(_measure("salesdw run via Dagster (one more day)", _salesdw("run"), environment))
    extracts = [p for p in landing.rglob("*") if p.suffix in (".parquet", ".csv")]
    figures = {
        "scale": arguments.scale,
        "months": arguments.months,
        "raw_rows": sum(rows.values()),
        "landing_mib": round(sum(p.stat().st_size for p in extracts) / 2**20, 1),
        "files": len(extracts),
        "next_day_rows": next_day_rows,
        "steps": [asdict(step) for step in steps],
        "rows_by_table": rows,
    }
    (arguments.workdir / f"pipeline_scale-{scale}.json").write_text(json.dumps(figures, indent=2))
    logger.info(
        "scale %s: %d raw rows in %d files (%.1f MiB)",
        scale,
        figures["raw_rows"],
        figures["files"],
        figures["landing_mib"],
    )
    for step in steps:
        logger.info("%-40s %8.1f s %10.1f MiB peak", step.step, step.seconds, step.peak_rss_mib)
    if not arguments.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
