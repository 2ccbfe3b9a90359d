"""Runs the dbt project (staging, intermediate, marts) against the warehouse file.

dbt reads the warehouse path (``profiles.yml``) and the project settings (the vars of
``dbt_project.yml``) from the same ``SALESDW_*`` environment variables as the rest of
the product, so a run here and a run of ``dbt`` by hand with the same environment
build the same thing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from orchestration.raw.warehouse import connect
from orchestration.settings import PROJECT_ROOT, Settings

_FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
"""Statuses in run_results.json of a node that broke the build."""
TELEMETRY_OFF = {"DBT_SEND_ANONYMOUS_USAGE_STATS": "false", "DO_NOT_TRACK": "1"}


@dataclass(frozen=True)
class DbtOutcome:
    succeeded: bool
    failures: tuple[str, ...]
    """``node: message`` of every model or test that errored or failed."""


def dbt_environment(settings: Settings) -> dict[str, str]:
    """The environment dbt runs in: the settings as the variables the profile and the
    project vars read, and no telemetry."""
    return {**TELEMETRY_OFF, **os.environ, **settings.environment()}


def dbt_arguments(command: str, extra: Sequence[str] = ()) -> list[str]:
    """``command`` may be several words, e.g. ``docs generate``."""
    return [
        *command.split(),
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        *extra,
    ]


def target_path() -> Path:
    """Where dbt writes its manifest and run results (dbt's own DBT_TARGET_PATH wins;
    dbt resolves a relative one against the project)."""
    return PROJECT_ROOT / os.environ.get("DBT_TARGET_PATH", "target")


def _failures(run_results: Path) -> tuple[str, ...]:
    if not run_results.exists():
        return ()
    results = json.loads(run_results.read_text()).get("results", [])
    return tuple(
        f"{result['unique_id']}: {result.get('message') or result['status']}"
        for result in results
        if result["status"] in _FAILED_STATUSES
    )


def run_dbt(command: str, settings: Settings, extra: Sequence[str] = ()) -> DbtOutcome:
    """Run one dbt command and collect what went wrong.

    dbt runs in a child process: dbt-duckdb keeps its database handle for the life of
    the process, and the caller (a test, the ingestion) must be able to open the
    warehouse again as soon as dbt is done.
    """
    # The sources live in the raw schema: create it (empty) on a fresh warehouse.
    connect(settings.warehouse_path).close()
    run_results = target_path() / "run_results.json"
    run_results.unlink(missing_ok=True)
    executable = Path(sys.executable).with_name("dbt")
    completed = subprocess.run(
        [str(executable), *dbt_arguments(command, extra)],
        cwd=PROJECT_ROOT,
        env=dbt_environment(settings),
        check=False,
    )
    return DbtOutcome(succeeded=completed.returncode == 0, failures=_failures(run_results))


def build(
    settings: Settings, *, full_refresh: bool = False, select: Sequence[str] = ()
) -> DbtOutcome:
    """``dbt build``: seeds, models and their tests, in dependency order."""
    extra = ["--full-refresh"] if full_refresh else []
    if select:
        extra += ["--select", *select]
    return run_dbt("build", settings, extra)
