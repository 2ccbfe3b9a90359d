"""``dagster dev`` from the repository root, as ``make dev`` starts it: the code location
loads without errors or warnings and serves every asset, the job, the schedule and the
sensor of ``orchestration.definitions``.

The instance is a copy of ``.dagster_home/dagster.yaml`` in a temporary DAGSTER_HOME and
every ``SALESDW_*`` path is a temporary one, so neither the sensor nor the schedule can
start a run that writes outside the test's folder; the landing folder is empty, so the
sensor skips.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from orchestration.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

DAGSTER_EXECUTABLE = Path(sys.executable).with_name("dagster")
INSTANCE_CONFIG = PROJECT_ROOT / ".dagster_home" / "dagster.yaml"
CODE_LOCATION_NAME = "salesdw"
"""``code_location_name`` of ``[tool.dagster]`` in pyproject.toml."""

STARTUP_TIMEOUT_SECONDS = 180
FIRST_SENSOR_TICK_TIMEOUT_SECONDS = 60
SHUTDOWN_TIMEOUT_SECONDS = 30
POLL_INTERVAL_SECONDS = 1.0
REQUEST_TIMEOUT_SECONDS = 30
LOG_TAIL_LINES = 80

LOCATION_ENTRIES_QUERY = """
{
  workspaceOrError {
    __typename
    ... on PythonError { message }
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message stack }
        }
      }
    }
  }
}
"""
ASSET_KEYS_QUERY = "{ assetNodes { assetKey { path } } }"
REPOSITORIES_QUERY = """
{
  repositoriesOrError {
    __typename
    ... on PythonError { message }
    ... on RepositoryConnection {
      nodes {
        name
        location { name }
        jobs { name }
        schedules { name scheduleState { status } }
        sensors { name sensorState { status } }
      }
    }
  }
}
"""
# Without `statuses`, `ticks` leaves out skipped ticks.
SENSOR_TICKS_QUERY = """
{
  repositoriesOrError {
    ... on RepositoryConnection {
      nodes {
        sensors {
          name
          sensorState {
            ticks(limit: 1, statuses: [STARTED, SKIPPED, SUCCESS, FAILURE]) {
              status
              skipReason
              runIds
              error { message }
            }
          }
        }
      }
    }
  }
}
"""

ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*m")
WARNING_OR_ERROR = re.compile(r"\b(?:WARNING|ERROR|CRITICAL)\b|\w+(?:Warning|Error)\b|Traceback")
UNRELATED_TO_OUR_CODE = (
    # Dagster's own CLI, before any of our code loads: the `dagster dev` command is
    # superseded by `dg dev` of dagster-dg-cli, which this project does not install.
    re.compile(r"SupersessionWarning: Function `dev_command` is superseded"),
    # The daemon on a DAGSTER_HOME that has never run one: no cursor is stored yet for
    # the run success and failure events it follows (run retries), so it starts from
    # now. Instance state, not our code; a second start of the same home is silent.
    re.compile(
        r"dagster\.daemon\.EventLogConsumerDaemon - WARNING - No cursor for event type "
        r"DagsterEventType\.RUN_(?:SUCCESS|FAILURE), ignoring older events$"
    ),
)


@dataclass(frozen=True)
class DagsterDev:
    """A running ``dagster dev``: its GraphQL endpoint and the file it logs to."""

    graphql_url: str
    log_path: Path
    process: subprocess.Popen[bytes]

    def query(self, query: str) -> dict[str, Any]:
        request = urllib.request.Request(
            self.graphql_url,
            data=json.dumps({"query": query}).encode(),
            headers={"Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=REQUEST_TIMEOUT_SECONDS) as response:
            payload = json.load(response)
        assert not payload.get("errors"), f"GraphQL errors: {payload['errors']}"
        return payload["data"]

    def log_tail(self) -> str:
        lines = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(ANSI_ESCAPE.sub("", line) for line in lines[-LOG_TAIL_LINES:])

    def fail_unless_running(self) -> None:
        if self.process.poll() is not None:
            pytest.fail(
                f"dagster dev exited with code {self.process.returncode}; "
                f"its log ends with:\n{self.log_tail()}"
            )


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def location_entries(server: DagsterDev) -> list[dict[str, Any]]:
    workspace = server.query(LOCATION_ENTRIES_QUERY)["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    return workspace["locationEntries"]


def wait_until_loaded(server: DagsterDev) -> None:
    """Until the webserver answers and no code location is still loading."""
    started = time.monotonic()
    while time.monotonic() - started < STARTUP_TIMEOUT_SECONDS:
        server.fail_unless_running()
        try:
            entries = location_entries(server)
        except OSError:  # not listening yet, or answering with an HTTP error
            entries = []
        if entries and all(entry["loadStatus"] != "LOADING" for entry in entries):
            logger.info("dagster dev loaded the code in %.0f s", time.monotonic() - started)
            return
        time.sleep(POLL_INTERVAL_SECONDS)
    pytest.fail(
        f"dagster dev did not load the code within {STARTUP_TIMEOUT_SECONDS} s; "
        f"its log ends with:\n{server.log_tail()}"
    )


def process_group_exists(group_id: int) -> bool:
    try:
        os.killpg(group_id, 0)
    except ProcessLookupError:
        return False
    return True


def stop_process_group(process: subprocess.Popen[bytes]) -> None:
    """SIGTERM to ``dagster dev`` and everything it started (it stops like on Ctrl-C),
    then SIGKILL to whatever is left after SHUTDOWN_TIMEOUT_SECONDS.

    A test process that ignores SIGINT (started with ``&`` from a script) passes that on:
    dagster then ignores SIGTERM too, and only the SIGKILL stops it."""
    group_id = process.pid  # start_new_session: the group of dagster dev is its pid
    started = time.monotonic()
    try:
        os.killpg(group_id, signal.SIGTERM)
    except ProcessLookupError:
        process.wait()
        return
    while time.monotonic() - started < SHUTDOWN_TIMEOUT_SECONDS:
        process.poll()  # reaps dagster dev once it exits, so that its group can end
        if not process_group_exists(group_id):
            logger.info("dagster dev stopped in %.0f s", time.monotonic() - started)
            break
        time.sleep(POLL_INTERVAL_SECONDS / 2)
    else:
        logger.warning(
            "dagster dev still running %d s after SIGTERM: killing its process group",
            SHUTDOWN_TIMEOUT_SECONDS,
        )
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group_id, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def dagster_dev(
    tmp_path_factory: pytest.TempPathFactory, dbt_scratch_paths: None
) -> Iterator[DagsterDev]:
    """``dagster dev`` started like ``make dev``, on a free port and a temporary instance.

    The code server parses the dbt project into DBT_TARGET_PATH, the scratch folder
    of ``dbt_scratch_paths``, which it inherits with the rest of this environment."""
    root = tmp_path_factory.mktemp("dagster_dev")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(INSTANCE_CONFIG, dagster_home / "dagster.yaml")
    landing_dir = root / "landing"
    landing_dir.mkdir()
    environment = {
        **os.environ,
        "DAGSTER_HOME": str(dagster_home),
        "SALESDW_LANDING_DIR": str(landing_dir),
        "SALESDW_WAREHOUSE_PATH": str(root / "warehouse" / "warehouse.duckdb"),
        "SALESDW_MARTS_PATH": str(root / "warehouse" / "marts.duckdb"),
        # 29 February on a Monday: the schedule never fires while the test runs.
        "SALESDW_DAILY_RUN_CRON": "0 6 29 2 1",
    }
    port = free_port()
    log_path = root / "dagster_dev.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(DAGSTER_EXECUTABLE), "dev", "-p", str(port)],
            cwd=PROJECT_ROOT,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    server = DagsterDev(f"http://127.0.0.1:{port}/graphql", log_path, process)
    logger.info("dagster dev started on port %d, logging to %s", port, log_path)
    try:
        wait_until_loaded(server)
        yield server
    finally:
        stop_process_group(process)


def wait_for_first_sensor_tick(server: DagsterDev) -> dict[str, Any]:
    """The first evaluation of ``new_landing_files`` by the daemon."""
    started = time.monotonic()
    while time.monotonic() - started < FIRST_SENSOR_TICK_TIMEOUT_SECONDS:
        server.fail_unless_running()
        repositories = server.query(SENSOR_TICKS_QUERY)["repositoriesOrError"]["nodes"]
        ticks = [
            tick
            for repository in repositories
            for sensor in repository["sensors"]
            if sensor["name"] == "new_landing_files"
            for tick in sensor["sensorState"]["ticks"]
            if tick["status"] != "STARTED"
        ]
        if ticks:
            return ticks[0]
        time.sleep(POLL_INTERVAL_SECONDS)
    pytest.fail(
        f"the daemon did not evaluate new_landing_files within "
        f"{FIRST_SENSOR_TICK_TIMEOUT_SECONDS} s; dagster dev's log ends with:\n"
        f"{server.log_tail()}"
    )


def test_the_code_location_loads_without_error(dagster_dev: DagsterDev) -> None:
    entries = location_entries(dagster_dev)

    assert [entry["name"] for entry in entries] == [CODE_LOCATION_NAME]
    (entry,) = entries
    load_result = entry["locationOrLoadError"]
    assert load_result["__typename"] == "RepositoryLocation", (
        f"{CODE_LOCATION_NAME} failed to load:\n{load_result.get('message')}"
        f"{''.join(load_result.get('stack') or [])}"
    )
    assert entry["loadStatus"] == "LOADED"


def test_dagster_dev_serves_every_asset_of_the_definitions(dagster_dev: DagsterDev) -> None:
    # Imported here, not at the top: importing the definitions parses the dbt project
    # into DBT_TARGET_PATH, which conftest sets only once the session's fixtures run.
    from orchestration.definitions import defs  # noqa: PLC0415

    served = [
        tuple(node["assetKey"]["path"])
        for node in dagster_dev.query(ASSET_KEYS_QUERY)["assetNodes"]
    ]
    defined = [tuple(key.path) for key in defs.resolve_asset_graph().get_all_asset_keys()]

    assert sorted(served) == sorted(defined)


def test_dagster_dev_serves_the_job_schedule_and_sensor(dagster_dev: DagsterDev) -> None:
    from orchestration.definitions import defs  # noqa: PLC0415 (see above)

    repositories = dagster_dev.query(REPOSITORIES_QUERY)["repositoriesOrError"]
    assert repositories["__typename"] == "RepositoryConnection", repositories
    (repository,) = repositories["nodes"]
    assert repository["location"]["name"] == CODE_LOCATION_NAME

    served_jobs = {job["name"] for job in repository["jobs"]}
    assert {job.name for job in defs.jobs or ()} <= served_jobs
    # Both start RUNNING (default_status): `make dev` is how they run.
    assert {
        schedule["name"]: schedule["scheduleState"]["status"]
        for schedule in repository["schedules"]
    } == {schedule.name: "RUNNING" for schedule in defs.schedules or ()}
    assert {
        sensor["name"]: sensor["sensorState"]["status"] for sensor in repository["sensors"]
    } == {sensor.name: "RUNNING" for sensor in defs.sensors or ()}


def test_the_sensor_skips_an_empty_landing_folder(dagster_dev: DagsterDev) -> None:
    tick = wait_for_first_sensor_tick(dagster_dev)

    assert tick == {
        "status": "SKIPPED",
        "skipReason": "no new landing files",
        "runIds": [],
        "error": None,
    }


def test_dagster_dev_logs_no_warning_or_error(dagster_dev: DagsterDev) -> None:
    # The daemon's first evaluation of the sensor runs our code too: wait for it.
    wait_for_first_sensor_tick(dagster_dev)
    lines = [
        ANSI_ESCAPE.sub("", line)
        for line in dagster_dev.log_path.read_text(errors="replace").splitlines()
    ]

    findings = [
        line
        for line in lines
        if WARNING_OR_ERROR.search(line)
        and not any(unrelated.search(line) for unrelated in UNRELATED_TO_OUR_CODE)
    ]

    assert not findings, "dagster dev logged:\n" + "\n".join(findings)
