"""Exactly-once ingestion of landing files into the warehouse's ``raw`` schema.

Each new file (path + content hash not yet in the ledger) is loaded in one transaction:
its good rows into ``raw.<source>__<table>``, its bad rows into ``raw.rejects`` with the
reasons, and one ledger row with the counts. A crash half-way rolls the whole file
back. A file that cannot be read, or lacks a required column, is refused whole and the
ledger says why.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import duckdb

from orchestration.raw import reference
from orchestration.raw.checks import (
    ReferenceCodes,
    Violation,
    checked_rows_sql,
    quote_literal,
)
from orchestration.raw.contract import TABLES, Table
from orchestration.raw.landing import READABLE_SUFFIXES, LandingFile, discover
from orchestration.raw.warehouse import LEDGER, REJECTS, connect, raw_table_name
from orchestration.settings import Settings

logger = logging.getLogger(__name__)

_CHECKED = "_checked_rows"


class FileStatus(StrEnum):
    LOADED = "loaded"
    REFUSED = "refused"
    SKIPPED = "skipped"


class FileRefusedError(Exception):
    """The file as a whole breaks the contract; the message says how."""


@dataclass(frozen=True)
class FileResult:
    relative_path: str
    table: str
    status: FileStatus
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    error: str | None = None


@dataclass
class IngestReport:
    files: list[FileResult] = field(default_factory=list)

    def count(self, status: FileStatus) -> int:
        return sum(1 for result in self.files if result.status is status)

    @property
    def rows_loaded(self) -> int:
        return sum(result.rows_loaded for result in self.files)

    @property
    def rows_rejected(self) -> int:
        return sum(result.rows_rejected for result in self.files)

    def rows_loaded_by_table(self) -> dict[str, int]:
        totals: Counter[str] = Counter()
        for result in self.files:
            totals[result.table] += result.rows_loaded
        return dict(totals)


def reference_codes(settings: Settings) -> ReferenceCodes:
    return ReferenceCodes(
        channels=reference.channel_codes(settings.seeds_dir),
        stages=tuple(stage.code for stage in reference.stages(settings.seeds_dir)),
        lost_reasons=tuple(reason.code for reason in reference.lost_reasons(settings.seeds_dir)),
        reporting_currency=settings.reporting_currency,
    )


def ingest(settings: Settings, tables: tuple[Table, ...] = TABLES) -> IngestReport:
    """Load every new landing file of ``tables`` into the warehouse at ``settings``."""
    if not settings.landing_dir.is_dir():
        raise FileNotFoundError(f"landing folder {settings.landing_dir} does not exist")
    codes = reference_codes(settings)
    report = IngestReport()
    with connect(settings.warehouse_path) as connection:
        seen = _ledger_entries(connection)
        for landing_file in discover(settings.landing_dir, tables):
            if (landing_file.relative_path, landing_file.content_hash) in seen:
                report.files.append(
                    FileResult(
                        landing_file.relative_path,
                        landing_file.table.qualified,
                        FileStatus.SKIPPED,
                    )
                )
                continue
            result = load_file(connection, landing_file, codes)
            report.files.append(result)
    logger.info(
        "ingest: %d files loaded, %d skipped, %d refused; %d rows loaded, %d rejected",
        report.count(FileStatus.LOADED),
        report.count(FileStatus.SKIPPED),
        report.count(FileStatus.REFUSED),
        report.rows_loaded,
        report.rows_rejected,
    )
    return report


def _ledger_entries(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = connection.execute(f"select path, content_hash from {LEDGER}").fetchall()
    return {(path, content_hash) for path, content_hash in rows}


def load_file(
    connection: duckdb.DuckDBPyConnection, landing_file: LandingFile, codes: ReferenceCodes
) -> FileResult:
    """Load one file atomically, or refuse it whole; either way, record it in the ledger."""
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    try:
        source_types = _source_types(connection, landing_file)
    except FileRefusedError as refusal:
        return _refuse(connection, landing_file, str(refusal), loaded_at)
    connection.begin()
    try:
        file_id = _next_file_id(connection)
        _check_rows(connection, landing_file, source_types, codes)
        result = _store_rows(connection, landing_file, source_types, file_id, loaded_at)
        connection.commit()
    except (duckdb.IOException, duckdb.InvalidInputException) as error:
        connection.rollback()
        return _refuse(connection, landing_file, _unreadable(landing_file, error), loaded_at)
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.execute(f"drop table if exists {_CHECKED}")
    _log_result(result)
    return result


def _reader_sql(landing_file: LandingFile) -> str:
    path = quote_literal(str(landing_file.path))
    if landing_file.file_format == "parquet":
        return f"read_parquet({path})"
    return (
        f"read_csv({path}, header = true, delim = ',', quote = '\"', escape = '\"', "
        "all_varchar = true, strict_mode = true)"
    )


def _source_rows_sql(landing_file: LandingFile) -> str:
    """The file's rows numbered from 1 in file order."""
    path = quote_literal(str(landing_file.path))
    if landing_file.file_format == "parquet":
        return (
            "select * exclude (file_row_number), file_row_number + 1 as _row_number "
            f"from read_parquet({path}, file_row_number = true)"
        )
    # The CSV reader keeps the file's row order (insertion order is preserved), so the
    # window numbers rows as they stand in the file.
    return f"select *, row_number() over () as _row_number from {_reader_sql(landing_file)}"


def _unreadable(landing_file: LandingFile, error: Exception) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"{Violation.UNREADABLE}: {landing_file.relative_path} cannot be read as "
        f"{landing_file.file_format.upper()}: {first_line}"
    )


def _source_types(
    connection: duckdb.DuckDBPyConnection, landing_file: LandingFile
) -> dict[str, str]:
    """The file's columns and types, refusing it if unreadable or incomplete."""
    if landing_file.path.suffix.lower() not in READABLE_SUFFIXES:
        raise FileRefusedError(
            f"{Violation.UNREADABLE}: {landing_file.relative_path} is not a .parquet or .csv file"
        )
    try:
        described = connection.execute(
            f"describe select * from {_reader_sql(landing_file)}"
        ).fetchall()
    except duckdb.Error as error:
        raise FileRefusedError(_unreadable(landing_file, error)) from error
    by_lower_name = {name.lower(): (name, sql_type) for name, sql_type, *_ in described}
    missing = [c for c in landing_file.table.column_names if c.lower() not in by_lower_name]
    if missing:
        raise FileRefusedError(
            f"{Violation.MISSING_COLUMN}: {landing_file.relative_path} lacks required column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"of {landing_file.table.qualified}"
        )
    wanted = {c.lower() for c in (*landing_file.table.column_names, "is_deleted")}
    return {
        name.lower(): sql_type
        for name, sql_type in by_lower_name.values()
        if name.lower() in wanted
    }


def _next_file_id(connection: duckdb.DuckDBPyConnection) -> int:
    row = connection.execute("select nextval('raw.ingest_file_id')").fetchone()
    assert row is not None
    return int(row[0])


def _check_rows(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    source_types: dict[str, str],
    codes: ReferenceCodes,
) -> None:
    query = checked_rows_sql(
        landing_file.table, _source_rows_sql(landing_file), source_types, codes
    )
    connection.execute(f"create temp table {_CHECKED} as {query}")


def _store_rows(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    source_types: dict[str, str],
    file_id: int,
    loaded_at: datetime,
) -> FileResult:
    table = landing_file.table
    source = (file_id, landing_file.relative_path, loaded_at)
    connection.execute(
        f"""
        insert into {raw_table_name(table)} by name
        select * exclude (_reason), ? as _file_id, ? as _source_file, ? as _loaded_at
        from {_CHECKED} where _reason is null
        """,
        source,
    )
    counts = connection.execute(f"select count(*), count(_reason) from {_CHECKED}").fetchone()
    assert counts is not None
    rows_read, rows_rejected = int(counts[0]), int(counts[1])
    if rows_rejected:
        _store_rejects(connection, landing_file, file_id, loaded_at)
    result = FileResult(
        landing_file.relative_path,
        table.qualified,
        FileStatus.LOADED,
        rows_read=rows_read,
        rows_loaded=rows_read - rows_rejected,
        rows_rejected=rows_rejected,
    )
    _record(connection, landing_file, file_id, result, loaded_at)
    return result


def _store_rejects(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    file_id: int,
    loaded_at: datetime,
) -> None:
    """Keep each bad row as the file had it, every column of it, so a person can check
    the reason against the row and fix it at the source."""
    connection.execute(
        f"""
        insert into {REJECTS}
        select
            ?, ?, ?, ?, checked._row_number,
            json_merge_patch(to_json(source_rows), '{{"_row_number": null}}'),
            checked._reason, ?
        from {_CHECKED} as checked
        inner join ({_source_rows_sql(landing_file)}) as source_rows
            on checked._row_number = source_rows._row_number
        where checked._reason is not null
        """,
        (
            landing_file.table.source,
            landing_file.table.name,
            file_id,
            landing_file.relative_path,
            loaded_at,
        ),
    )


def _record(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    file_id: int,
    result: FileResult,
    loaded_at: datetime,
) -> None:
    connection.execute(
        f"insert into {LEDGER} values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            file_id,
            landing_file.table.source,
            landing_file.table.name,
            landing_file.relative_path,
            landing_file.size_bytes,
            landing_file.content_hash,
            landing_file.file_format,
            result.rows_read,
            result.rows_loaded,
            result.rows_rejected,
            result.status.value,
            result.error,
            loaded_at,
        ),
    )


def _refuse(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    error: str,
    loaded_at: datetime,
) -> FileResult:
    result = FileResult(
        landing_file.relative_path,
        landing_file.table.qualified,
        FileStatus.REFUSED,
        error=error,
    )
    connection.begin()
    _record(connection, landing_file, _next_file_id(connection), result, loaded_at)
    connection.commit()
    logger.error("refused %s", error)
    return result


def _log_result(result: FileResult) -> None:
    level = logging.WARNING if result.rows_rejected else logging.DEBUG
    logger.log(
        level,
        "%s: %d rows read, %d loaded, %d rejected",
        result.relative_path,
        result.rows_read,
        result.rows_loaded,
        result.rows_rejected,
    )
