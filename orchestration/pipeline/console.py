"""The whole pipeline from a terminal (``salesdw run``): the same job ``dagster dev``
runs, recorded in the same Dagster instance, so the run shows up in the UI's history,
with one progress line per materialised asset instead of Dagster's event stream."""

import contextlib
import logging
import os
import time
from pathlib import Path

import dagster as dg
from dagster._core.log_manager import get_log_record_metadata, has_log_record_metadata

from orchestration.pipeline.automation import PIPELINE_JOB_NAME
from orchestration.settings import PROJECT_ROOT, Settings

logger = logging.getLogger("salesdw.run")

DAGSTER_HOME = PROJECT_ROOT / ".dagster_home"


_RUN_ENDS = frozenset({dg.DagsterEventType.RUN_SUCCESS, dg.DagsterEventType.RUN_FAILURE})


class _ProgressHandler(logging.Handler):
    """Turns Dagster's structured events into ``[ 12/90] staging/stg_crm__deals``."""

    def __init__(self, total_assets: int) -> None:
        super().__init__()
        self._total = total_assets
        self._done = 0
        self._passed_checks = 0
        self._failed_checks = 0
        self._started = time.perf_counter()

    def emit(self, record: logging.LogRecord) -> None:
        if not has_log_record_metadata(record):
            return
        event = get_log_record_metadata(record)["dagster_event"]
        if event is None:
            return
        elapsed = time.perf_counter() - self._started
        if event.event_type is dg.DagsterEventType.ASSET_MATERIALIZATION:
            self._done += 1
            key = event.asset_key.to_user_string() if event.asset_key else "?"
            logger.info("[%3d/%d] %6.1f s  %s", self._done, self._total, elapsed, key)
        elif event.event_type is dg.DagsterEventType.ASSET_CHECK_EVALUATION:
            evaluation = event.asset_check_evaluation_data
            self._passed_checks += evaluation.passed
            if not evaluation.passed:
                self._failed_checks += 1
                logger.warning(
                    "check failed: %s on %s (%s)%s",
                    evaluation.check_name,
                    evaluation.asset_key.to_user_string(),
                    evaluation.severity.value,
                    f": {evaluation.description}" if evaluation.description else "",
                )
        elif event.event_type is dg.DagsterEventType.STEP_FAILURE:
            error = event.step_failure_data.error
            # The error's own message: a person needs what failed, not Dagster's stack.
            message = error.message.strip() if error else record.getMessage()
            logger.error("step %s failed: %s", event.step_key, message)
        elif event.event_type in _RUN_ENDS:
            logger.info(
                "%d of %d assets materialised; %d checks passed, %d failed",
                self._done,
                self._total,
                self._passed_checks,
                self._failed_checks,
            )


def _progress_logger(total_assets: int) -> dg.LoggerDefinition:
    @dg.logger(description="one line per materialised asset, for a terminal")
    def progress(_: dg.InitLoggerContext) -> logging.Logger:
        progress_log = logging.getLogger("salesdw.run.dagster")
        progress_log.handlers = [_ProgressHandler(total_assets)]
        progress_log.setLevel(logging.DEBUG)
        progress_log.propagate = False
        return progress_log

    return progress


def ensure_dagster_home() -> None:
    """Record the run in the repository's Dagster instance unless DAGSTER_HOME says
    otherwise, so that ``make dev`` shows it."""
    os.environ.setdefault("DAGSTER_HOME", str(DAGSTER_HOME))
    os.environ.setdefault("DAGSTER_DISABLE_TELEMETRY", "1")


def run_pipeline(*, full_refresh: bool = False) -> bool:
    """Materialise every asset in this process; True when the run succeeded."""
    ensure_dagster_home()
    # The instance's storage migrations log every step at INFO.
    logging.getLogger("alembic").setLevel(logging.WARNING)
    logging.getLogger("dagster").setLevel(logging.WARNING)
    from orchestration.definitions import defs  # noqa: PLC0415 - parses the dbt project
    from orchestration.pipeline.dbt_models import PROJECT  # noqa: PLC0415
    from orchestration.quality.gx_project import (  # noqa: PLC0415 - GX is slow to import
        SUMMARY_PAGE,
        data_docs_index,
    )

    job = defs.resolve_job_def(PIPELINE_JOB_NAME)
    total = len(defs.resolve_asset_graph().get_all_asset_keys())
    job = job.with_logger_defs({"progress": _progress_logger(total)})
    started = time.perf_counter()
    # dbt's own output goes to its log file (below); a terminal gets one line per asset.
    with (
        dg.DagsterInstance.get() as instance,
        Path(os.devnull).open("w") as discard,
        contextlib.redirect_stdout(discard),
    ):
        result = job.execute_in_process(
            instance=instance,
            run_config={
                "loggers": {"progress": {}},
                "ops": {"dbt_build": {"config": {"full_refresh": full_refresh}}},
            },
            raise_on_error=False,
            tags={"salesdw/started_by": "salesdw run"},
        )
    logger.info(
        "run %s %s in %.1f s; in the UI (`make dev`) under Runs, dbt's log in %s",
        result.run_id,
        "succeeded" if result.success else "FAILED",
        time.perf_counter() - started,
        PROJECT.target_path / "dbt.log",
    )
    logger.info(
        "data quality: the latest validation of every suite in %s",
        data_docs_index(Settings().quality_dir).with_name(SUMMARY_PAGE),
    )
    return result.success
