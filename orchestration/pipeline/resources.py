"""What every step that touches the warehouse shares: its concurrency pool and its
answer to a warehouse another process holds."""

from __future__ import annotations

import logging
from types import TracebackType

import dagster as dg
import duckdb

WAREHOUSE_POOL = "duckdb_warehouse"
"""DuckDB allows one writer per file: every step that opens the warehouse is in this
pool, whose limit is 1 (``.dagster_home/dagster.yaml``), across all runs."""

BUSY_RETRIES = 5
BUSY_WAIT_SECONDS = 30


def is_lock_conflict(error: BaseException) -> bool:
    """Another process (a person's DuckDB CLI, DBeaver) holds the warehouse file."""
    return isinstance(error, duckdb.IOException) and "Could not set lock" in str(error)


class WarehouseBusyRetry:
    """Turns a lock conflict on the warehouse into a retry of the step a little later;
    anything else fails the step at once, since retrying a real error only delays it."""

    def __init__(self, log: logging.Logger | dg.DagsterLogManager) -> None:
        self._log = log

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        error_type: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if error is not None and is_lock_conflict(error):
            self._log.warning(
                "the warehouse is busy; retrying in %d s: %s", BUSY_WAIT_SECONDS, error
            )
            raise dg.RetryRequested(
                max_retries=BUSY_RETRIES, seconds_to_wait=BUSY_WAIT_SECONDS
            ) from error
