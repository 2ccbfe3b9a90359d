"""Validate suites on data read read-only from the warehouse, a chunk at a time.

GX has no DuckDB datasource (and its SQL route fails silently with duckdb-engine on
SQLAlchemy 2.1), so each suite's dataset is queried in DuckDB and handed to GX as
pandas frames. A dataset larger than one chunk is split by a hash of its key, so every
row with the same key lands in the same chunk and uniqueness of the key still holds
chunk by chunk; the chunks' results are then added up into one result per suite.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context

import duckdb
import pandas as pd
import pyarrow as pa
from great_expectations.core import (
    ExpectationSuiteValidationResult,
    ExpectationValidationResult,
)
from great_expectations.expectations.metadata_types import FailureSeverity

from orchestration.quality.findings import (
    FailedExpectation,
    Verdict,
    failures_of,
    raised_exception,
    verdict_of,
)
from orchestration.quality.gx_project import SAMPLE_ROWS, GxProject, GxValidator
from orchestration.quality.suites import Suite, fill_in, load_views, suite_names
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.raw.ingest import reference_codes
from orchestration.settings import Settings

logger = logging.getLogger(__name__)

CHUNK_ROWS = 1_000_000
"""Rows handed to pandas at once: a few hundred MB at most, whatever the scale."""
_DATASET = "salesdw_suite_dataset"
_MEMORY_LIMIT = "4GB"
"""DuckDB's share while GX works beside it; a larger dataset spills to disk."""
_WORKERS = max(1, min(2, os.cpu_count() or 1))
_WORKER_MEMORY_LIMIT = "3GB"
_WORKER_THREADS = 1
_PARALLEL_FROM_ROWS = 2_000_000
"""Below this many rows in the guarded tables, starting worker processes (each imports
GX) costs more than it saves."""


@dataclass(frozen=True)
class SuiteOutcome:
    suite: Suite
    result: ExpectationSuiteValidationResult
    rows: int
    chunks: int
    seconds: float

    @property
    def failures(self) -> list[FailedExpectation]:
        return failures_of(self.result)

    def failed(self, severity: FailureSeverity) -> list[FailedExpectation]:
        return [failure for failure in self.failures if failure.severity is severity]

    @property
    def verdict(self) -> Verdict:
        return verdict_of(self.failures)

    @property
    def blocks(self) -> bool:
        """A critical expectation failed: what this suite guards must not be published."""
        return self.verdict is Verdict.BLOCKS

    @property
    def warns(self) -> bool:
        return bool(self.failed(FailureSeverity.WARNING))


def _as_frame(data: pa.Table) -> pd.DataFrame:
    """DuckDB's Arrow into pandas as GX compares best: decimals as floats (checks are
    on signs and ranges; exact money comparisons are done in SQL), dates as datetimes."""
    return pa.table(
        [_comparable(column) for column in data.columns], names=data.column_names
    ).to_pandas()


def _comparable(column: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_decimal(column.type):
        return column.cast(pa.float64())
    if pa.types.is_date(column.type):
        return column.cast(pa.timestamp("s"))
    return column


def _chunk_queries(suite: Suite, source: str, rows: int) -> list[str]:
    chunks = max(1, math.ceil(rows / CHUNK_ROWS))
    if chunks == 1:
        return [f"select * from {source}"]
    suite.check_chunkable()
    key = ", ".join(quote_identifier(name) for name in suite.key)
    return [
        f"select * from {source} where hash({key}) % {chunks} = {chunk}" for chunk in range(chunks)
    ]


def _chunks(connection: duckdb.DuckDBPyConnection, queries: list[str]) -> Iterator[pa.Table]:
    """The chunks in order, the next one read by DuckDB while GX checks this one.

    Closing the generator early waits for the read in flight, so the connection is
    free again before anyone drops the dataset or closes it."""
    with ThreadPoolExecutor(max_workers=1) as reader:
        pending = reader.submit(lambda: connection.sql(queries[0]).to_arrow_table())
        try:
            for query in [*queries[1:], None]:
                data = pending.result()
                if query is not None:
                    pending = reader.submit(
                        lambda query=query: connection.sql(query).to_arrow_table()
                    )
                yield data
        finally:
            wait([pending])


def _add_up(results: Sequence[ExpectationValidationResult]) -> ExpectationValidationResult:
    """One expectation's results over every chunk, as if validated at once."""
    first = results[0]
    if len(results) == 1:
        return first
    errors = [result for result in results if raised_exception(result)]
    if errors:
        return errors[0]
    details = [result.result or {} for result in results]
    if any(
        not result.success and "element_count" not in detail
        for result, detail in zip(results, details, strict=True)
    ):
        # A failure with no counts to add up: it stands for the whole dataset.
        return next(result for result in results if not result.success)
    total = sum(detail.get("element_count", 0) for detail in details)
    missing = sum(detail.get("missing_count", 0) for detail in details)
    unexpected = sum(detail.get("unexpected_count", 0) for detail in details)
    present = total - missing
    mostly = first.expectation_config.kwargs.get("mostly", 1)
    merged = dict(details[0])
    merged.update(
        element_count=total,
        missing_count=missing,
        unexpected_count=unexpected,
        missing_percent=100 * missing / total if total else None,
        unexpected_percent=100 * unexpected / present if present else None,
        unexpected_percent_total=100 * unexpected / total if total else None,
        unexpected_percent_nonmissing=100 * unexpected / present if present else None,
    )
    for name in ("partial_unexpected_list", "partial_unexpected_index_list"):
        if name in merged:
            merged[name] = [item for detail in details for item in detail.get(name, [])][
                :SAMPLE_ROWS
            ]
    merged.pop("partial_unexpected_counts", None)
    success = present == 0 or (present - unexpected) / present >= mostly
    return ExpectationValidationResult(
        success=success,
        expectation_config=first.expectation_config,
        result=merged,
        meta=first.meta,
        exception_info=first.exception_info,
    )


def _signature(result: ExpectationValidationResult) -> str:
    configuration = result.expectation_config
    return json.dumps(
        [configuration.type, configuration.kwargs, configuration.severity, configuration.meta],
        sort_keys=True,
        default=str,
    )


def _combine(
    chunk_results: Sequence[ExpectationSuiteValidationResult],
) -> ExpectationSuiteValidationResult:
    if len(chunk_results) == 1:
        return chunk_results[0]
    first = chunk_results[0]
    # GX lists the expectations that raised first, so chunks may differ in order.
    by_expectation: dict[tuple[str, int], list[ExpectationValidationResult]] = {}
    for chunk in chunk_results:
        seen: dict[str, int] = {}
        for result in chunk.results:
            signature = _signature(result)
            seen[signature] = seen.get(signature, 0) + 1
            by_expectation.setdefault((signature, seen[signature]), []).append(result)
    if any(len(results) != len(chunk_results) for results in by_expectation.values()):
        raise ValueError(f"{first.suite_name}: chunks returned different expectations")
    results = [_add_up(results) for results in by_expectation.values()]
    passed = sum(result.success for result in results)
    return ExpectationSuiteValidationResult(
        success=passed == len(results),
        results=results,
        suite_name=first.suite_name,
        statistics={
            "evaluated_expectations": len(results),
            "successful_expectations": passed,
            "unsuccessful_expectations": len(results) - passed,
            "success_percent": 100 * passed / len(results) if results else None,
        },
        meta=first.meta,
        batch_id=first.batch_id,
    )


def validate_suite(
    connection: duckdb.DuckDBPyConnection,
    validator: GxValidator,
    suite: Suite,
    settings: Settings,
    parameters: dict[str, object],
) -> SuiteOutcome:
    started = time.perf_counter()
    dataset = suite.dataset(settings)
    source = f"({dataset})"
    if suite.materialize:
        # The query runs once; its chunks are then cheap scans of the result.
        connection.execute(f"create or replace temp table {_DATASET} as {dataset}").fetchall()
        source = _DATASET
    try:
        [(rows,)] = connection.execute(f"select count(*) from {source}").fetchall()
        queries = _chunk_queries(suite, source, rows)
        with contextlib.closing(_chunks(connection, queries)) as chunks:
            results = [validator.validate(suite, _as_frame(data), parameters) for data in chunks]
    finally:
        connection.execute(f"drop table if exists {_DATASET}").fetchall()
    return SuiteOutcome(
        suite=suite,
        result=_combine(results),
        rows=rows,
        chunks=len(queries),
        seconds=time.perf_counter() - started,
    )


def _log(outcome: SuiteOutcome) -> None:
    logger.debug(
        "%s: %s, %s rows in %d chunk(s), %.1f s",
        outcome.suite.name,
        outcome.verdict,
        f"{outcome.rows:,}",
        outcome.chunks,
        outcome.seconds,
    )


def _open_read_only(
    settings: Settings, views: dict[str, str], memory_limit: str, threads: int | None = None
) -> duckdb.DuckDBPyConnection:
    """A read-only connection with the shared views of ``expectations/_views/``."""
    connection = duckdb.connect(str(settings.warehouse_path), read_only=True)
    spill = settings.quality_dir / "duckdb_spill"
    connection.execute(
        # DuckDB would draw a progress bar on the terminal of `salesdw run` otherwise.
        "set enable_progress_bar = false; "
        f"set TimeZone = 'UTC'; set memory_limit = '{memory_limit}'; "
        f"set temp_directory = {quote_literal(str(spill))}"
        + (f"; set threads = {threads}" if threads else "")
    ).fetchall()
    for name, sql in views.items():
        view = quote_identifier(name)
        connection.execute(f"create temp view {view} as {fill_in(sql, settings)}").fetchall()
    return connection


_worker: dict[str, object] = {}
"""A worker process's own read-only connection, validator, settings and parameters."""


def _start_worker(settings: Settings, views: dict[str, str], parameters: dict[str, object]) -> None:
    _worker.update(
        connection=_open_read_only(settings, views, _WORKER_MEMORY_LIMIT, threads=_WORKER_THREADS),
        validator=GxValidator(),
        settings=settings,
        parameters=parameters,
    )


def _validate_in_worker(suite: Suite) -> SuiteOutcome:
    return validate_suite(
        _worker["connection"],
        _worker["validator"],
        suite,
        _worker["settings"],
        _worker["parameters"],
    )


def _estimated_rows(connection: duckdb.DuckDBPyConnection, suites: Sequence[Suite]) -> list[int]:
    """DuckDB's estimate of the rows of the table each suite guards."""
    sizes = {
        (schema, table): size
        for schema, table, size in connection.execute(
            "select schema_name, table_name, estimated_size from duckdb_tables()"
        ).fetchall()
    }
    return [sizes.get(suite.asset, 0) for suite in suites]


def _validate_all(
    settings: Settings, suites: Sequence[Suite], parameters: dict[str, object]
) -> list[SuiteOutcome]:
    """Serially for a small warehouse; else in worker processes, one per core, since GX
    on pandas uses one core and DuckDB reads the next chunk meanwhile anyway."""
    views = load_views(suites)
    connection = _open_read_only(settings, views, _MEMORY_LIMIT)
    try:
        estimated = _estimated_rows(connection, suites)
        if _WORKERS == 1 or sum(estimated) < _PARALLEL_FROM_ROWS:
            validator = GxValidator()
            return [
                validate_suite(connection, validator, suite, settings, parameters)
                for suite in suites
            ]
    finally:
        connection.close()
    # The largest first, so that the workers finish at about the same time.
    order = sorted(range(len(suites)), key=lambda index: -estimated[index])
    with ProcessPoolExecutor(
        max_workers=_WORKERS,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(settings, views, parameters),
    ) as workers:
        pending = {index: workers.submit(_validate_in_worker, suites[index]) for index in order}
        return [pending[index].result() for index in range(len(suites))]


def validate(settings: Settings, suites: Sequence[Suite], run_name: str) -> list[SuiteOutcome]:
    """Validate ``suites``, keep their results and rebuild the Data Docs."""
    if not settings.warehouse_path.exists():
        raise FileNotFoundError(f"no warehouse at {settings.warehouse_path}")
    at = datetime.now(UTC)
    codes = reference_codes(settings)
    # Codes a company edits in its seeds are not copied into the suites.
    parameters: dict[str, object] = {
        "now_utc": at.replace(tzinfo=None),
        "channel_codes": list(codes.channels),
        "stage_codes": list(codes.stages),
        "lost_reason_codes": list(codes.lost_reasons),
    }
    outcomes = _validate_all(settings, suites, parameters)
    project = GxProject(settings.quality_dir)
    for outcome in outcomes:
        _log(outcome)
        project.save(outcome.suite, outcome.result, run_name, at)
    folders = {suite.path.parents[1] for suite in suites}
    project.forget_all_but({name for folder in folders for name in suite_names(folder)})
    index = project.build_data_docs()
    logger.debug("Data Docs: %s", index)
    return outcomes
