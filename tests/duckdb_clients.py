"""Older DuckDB clients, each in its own virtual environment, for checking that files
the pipeline writes open in the DuckDB versions BI tools bundle.

The environments are created once and kept in ``.cache/duckdb-clients/<series>`` at
the repository root, so only the first test run pays for ``pip install``. An
environment counts as ready only once its marker file exists, written after pip
succeeded: an interrupted or failed creation is thrown away and redone next time.
"""

from __future__ import annotations

import fcntl
import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

CLIENTS_DIR = Path(__file__).resolve().parents[1] / ".cache" / "duckdb-clients"
READY_MARKER = "installed-requirement.txt"

READ_QUERIES = """
import json
import sys

import duckdb

path, queries = sys.argv[1], json.loads(sys.argv[2])
with duckdb.connect(path, read_only=True) as connection:
    results = {name: connection.execute(sql).fetchall() for name, sql in queries.items()}
sys.stdout.write(json.dumps({"version": duckdb.__version__, "results": results}, default=str))
"""
"""Runs named queries on a DuckDB file opened read-only and prints the DuckDB version
and the rows as JSON; decimals, dates and timestamps as their text, so that they
compare exactly."""


def _python(environment: Path) -> Path:
    return environment / "bin" / "python"


def client_python(series: str) -> Path:
    """The interpreter of a virtual environment with the latest DuckDB ``series``
    (e.g. ``"1.4"``), created on first use."""
    requirement = f"duckdb=={series}.*"
    environment = CLIENTS_DIR / series
    marker = environment / READY_MARKER
    CLIENTS_DIR.mkdir(parents=True, exist_ok=True)
    with (CLIENTS_DIR / f".{series}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if marker.is_file() and marker.read_text() == requirement:
            return _python(environment)
        logger.info("creating a DuckDB %s client in %s", series, environment)
        shutil.rmtree(environment, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(environment)], check=True)
        subprocess.run(
            [
                str(_python(environment)),
                "-m",
                "pip",
                "install",
                "--quiet",
                "--disable-pip-version-check",
                requirement,
            ],
            check=True,
        )
        marker.write_text(requirement)
    return _python(environment)


def read_with(python: Path, database: Path, queries: dict[str, str]) -> dict[str, Any]:
    """The DuckDB version of ``python`` and the rows of each query, by name, read from
    ``database`` in a separate process."""
    completed = subprocess.run(
        [str(python), "-c", READ_QUERIES, str(database), json.dumps(queries)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)
