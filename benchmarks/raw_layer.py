"""Benchmark of the raw layer: demo generation and ingestion at a given scale.

Each step runs as its own process so its wall time and peak memory are its own:

    .venv/bin/python benchmarks/raw_layer.py --scale 10 --workdir /tmp/salesdw-bench

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
    }
    scale = f"{arguments.scale:g}"
    steps = [
        _measure(
            "generate",
            _salesdw("generate", "--scale", scale, "--months", str(arguments.months)),
            environment,
        ),
        _measure("ingest", _salesdw("ingest"), environment),
        _measure("ingest again (nothing new)", _salesdw("ingest"), environment),
    ]
    rows = _raw_row_counts(warehouse)
    extracts = [p for p in landing.rglob("*") if p.suffix in (".parquet", ".csv")]
    figures = {
        "scale": arguments.scale,
        "months": arguments.months,
        "raw_rows": sum(rows.values()),
        "landing_mib": round(sum(p.stat().st_size for p in extracts) / 2**20, 1),
        "files": len(extracts),
        "steps": [asdict(step) for step in steps],
        "rows_by_table": rows,
    }
    (arguments.workdir / f"raw_layer_scale-{scale}.json").write_text(json.dumps(figures, indent=2))
    logger.info(
        "scale %s: %d raw rows in %d files (%.1f MiB)",
        scale,
        figures["raw_rows"],
        figures["files"],
        figures["landing_mib"],
    )
    for step in steps:
        logger.info("%-28s %8.1f s %10.1f MiB peak", step.step, step.seconds, step.peak_rss_mib)
    if not arguments.keep:
        shutil.rmtree(workdir)


if __name__ == "__main__":
    main()
