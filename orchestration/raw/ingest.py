"""Exactly-once ingestion of landing files into the warehouse's ``raw`` schema.

Each new file (path + content hash not yet in the ledger) loads whole or not at all:
its good rows into ``raw.<source>__<table>``, its bad rows into ``raw.rejects`` with the
reasons, and one ledger row with the counts, in one transaction. A crash half-way
rolls the file back. A file that cannot be read, or lacks a required column, is
refused whole and the ledger says why.

Parquet files of one table load in batches, one query and one transaction for many
files, since per-file overhead dominates when extracts are small and numerous; a batch
that meets a read error falls back to loading its files one by one.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum

import duckdb

from orchestration.raw import reference
from orchestration.raw.checks import (
    ReferenceCodes,
    Violation,
    checked_rows_sql,
    quote_identifier,
    quote_literal,
)
from orchestration.raw.contract import TABLES, Table
from orchestration.raw.landing import READABLE_SUFFIXES, LandingFile, discover
from orchestration.raw.warehouse import LEDGER, REJECTS, connect, raw_table_name
from orchestration.settings import Settings

logger = logging.getLogger(__name__)

_CHECKED = "_checked_rows"
_BATCH_FILES = "_landing_files"
_BATCH_MAX_FILES = 100
_BATCH_MAX_BYTES = 256 * 2**20
# Names the reader adds beside a file's own columns, chosen so no extract has them.
_PATH_COLUMN = "__salesdw_landing_path"
_ROW_NUMBER_COLUMN = "__salesdw_row_number"


def _is_the_files_fault(error: duckdb.Error) -> bool:
    """Whether reading the file itself failed: a malformed file or a corrupt page.

    Anything else (disk full, a file that vanished mid-run, out of memory, a bug) must
    stop the run instead of refusing a good file for ever."""
    return isinstance(error, duckdb.InvalidInputException | duckdb.ConversionException) or (
        # The Parquet reader reports a damaged page header as a plain duckdb.Error.
        type(error) is duckdb.Error
    )


class FileStatus(StrEnum):
    LOADED = "loaded"
    REFUSED = "refused"
    SKIPPED = "skipped"
    CHANGED = "changed"
    """Rewritten during the run: not loaded, not in the ledger, tried again next run."""


class FileRefusedError(Exception):
    """The file as a whole breaks the contract; the message says how."""


@dataclass(frozen=True)
class _Batch:
    """Files of one table read by one query, and the contract columns they all have,
    with the same type in every file."""

    files: list[LandingFile]
    columns: dict[str, str]


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
        new_files = []
        for landing_file in discover(settings.landing_dir, tables):
            if (landing_file.relative_path, landing_file.content_hash) in seen:
                report.files.append(
                    FileResult(
                        landing_file.relative_path,
                        landing_file.table.qualified,
                        FileStatus.SKIPPED,
                    )
                )
            else:
                new_files.append(landing_file)
        for batch in _batches(connection, new_files, report):
            report.files.extend(_load_batch(connection, batch, codes))
    logger.info(
        "ingest: %d files loaded, %d skipped, %d refused, %d changed mid-run; "
        "%d rows loaded, %d rejected",
        report.count(FileStatus.LOADED),
        report.count(FileStatus.SKIPPED),
        report.count(FileStatus.REFUSED),
        report.count(FileStatus.CHANGED),
        report.rows_loaded,
        report.rows_rejected,
    )
    return report


def _ledger_entries(connection: duckdb.DuckDBPyConnection) -> set[tuple[str, str]]:
    rows = connection.execute(f"select path, content_hash from {LEDGER}").fetchall()
    return {(path, content_hash) for path, content_hash in rows}


def _batches(
    connection: duckdb.DuckDBPyConnection,
    new_files: Sequence[LandingFile],
    report: IngestReport,
) -> Iterator[_Batch]:
    """Readable files in load order, grouped into batches of one table's Parquet files.

    A file refused on sight is recorded at once. CSV files stay alone: their reader
    has no row number of its own, and one file's order is all a window can rely on."""
    batch: list[LandingFile] = []
    batch_bytes = 0
    batch_columns: dict[str, str] = {}
    for landing_file in new_files:
        try:
            columns = _describe(connection, landing_file)
        except FileRefusedError as refusal:
            report.files.append(_refuse(connection, landing_file, str(refusal)))
            continue
        # Files whose contract columns differ in type stay apart: a union would read a
        # DECIMAL amount as DOUBLE because another file of the batch has one.
        fits = (
            batch
            and landing_file.file_format == "parquet"
            and batch[0].file_format == "parquet"
            and landing_file.table == batch[0].table
            and columns == batch_columns
            and len(batch) < _BATCH_MAX_FILES
            and batch_bytes + landing_file.size_bytes <= _BATCH_MAX_BYTES
        )
        if batch and not fits:
            yield _Batch(batch, batch_columns)
            batch, batch_bytes = [], 0
        batch.append(landing_file)
        batch_bytes += landing_file.size_bytes
        batch_columns = columns
    if batch:
        yield _Batch(batch, batch_columns)


def _load_batch(
    connection: duckdb.DuckDBPyConnection, to_load: _Batch, codes: ReferenceCodes
) -> list[FileResult]:
    """Load the files of one batch in one transaction; on a read error, one by one.

    A file rewritten since it was hashed is left for the next run: what was read may
    not be the content its ledger row would name."""
    batch = to_load.files
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
    connection.begin()
    try:
        file_ids = _register_batch(connection, batch)
        _check_rows(connection, to_load, codes)
        results = _store_rows(connection, batch, file_ids, loaded_at)
        changed = [landing_file for landing_file in batch if landing_file.changed_since_found()]
        if changed:
            connection.rollback()
        else:
            connection.commit()
    except duckdb.Error as error:
        connection.rollback()
        if not _is_the_files_fault(error):
            raise
        # A file whose metadata reads fine can still hold a corrupt page; find which.
        if len(batch) > 1:
            return [
                result
                for landing_file in batch
                for result in _load_batch(
                    connection, _Batch([landing_file], to_load.columns), codes
                )
            ]
        if batch[0].changed_since_found():
            return [_defer(batch[0])]
        return [_refuse(connection, batch[0], _unreadable(batch[0], error))]
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.execute(f"drop table if exists {_CHECKED}")
        connection.execute(f"drop table if exists {_BATCH_FILES}")
    if changed:
        unchanged = [landing_file for landing_file in batch if landing_file not in changed]
        retried = (
            _load_batch(connection, _Batch(unchanged, to_load.columns), codes) if unchanged else []
        )
        return [*(_defer(landing_file) for landing_file in changed), *retried]
    for result in results:
        _log_result(result)
    return results


def _defer(landing_file: LandingFile) -> FileResult:
    logger.warning(
        "%s changed while it was being loaded; it loads on the next run",
        landing_file.relative_path,
    )
    return FileResult(landing_file.relative_path, landing_file.table.qualified, FileStatus.CHANGED)


def _literal_path(landing_file: LandingFile) -> str:
    """The file's path as a SQL literal that DuckDB's readers take as it is, not as a
    glob pattern: ``[``, ``*`` and ``?`` in a name would otherwise match other files."""
    escaped = str(landing_file.path).replace("[", "[[]").replace("*", "[*]").replace("?", "[?]")
    return quote_literal(escaped)


def _reader_sql(files: Sequence[LandingFile], *, with_lineage: bool = True) -> str:
    """DuckDB's own reader over the files (several only for Parquet), for Parquet with
    each row's file path and row number unless ``with_lineage`` is off."""
    if files[0].file_format == "parquet":
        listed = ", ".join(_literal_path(landing_file) for landing_file in files)
        lineage = f"filename = '{_PATH_COLUMN}', file_row_number = true, " if with_lineage else ""
        return f"read_parquet([{listed}], {lineage}union_by_name = true)"
    return (
        f"read_csv({_literal_path(files[0])}, header = true, delim = ',', "
        "quote = '\"', escape = '\"', all_varchar = true, strict_mode = true)"
    )


def _file_rows_sql(landing_file: LandingFile) -> str:
    """One file's own columns, all of them, and its rows numbered from 1 in file order."""
    if landing_file.file_format == "parquet":
        return (
            f"select * exclude ({_PATH_COLUMN}, file_row_number), "
            f"file_row_number + 1 as {_ROW_NUMBER_COLUMN} from {_reader_sql([landing_file])}"
        )
    # The CSV reader keeps the file's row order (insertion order is preserved), so the
    # window numbers rows as they stand in the file.
    return (
        f"select *, row_number() over () as {_ROW_NUMBER_COLUMN} from {_reader_sql([landing_file])}"
    )


def _batch_rows_sql(batch: Sequence[LandingFile], columns: Iterable[str]) -> str:
    """The batch's contract columns with the lineage that the checks and the raw
    tables need; a file's other columns stay out, whatever their names."""
    selected = ", ".join(f"rows.{quote_identifier(name)}" for name in columns)
    lineage = "files.file_id as _file_id, files.relative_path as _source_file"
    if batch[0].file_format == "parquet":
        return f"""
            select {selected}, {lineage}, rows.file_row_number + 1 as _row_number
            from {_reader_sql(batch)} as rows
            inner join {_BATCH_FILES} as files on files.path = rows.{_PATH_COLUMN}"""
    return f"""
            select {selected}, {lineage}, rows.{_ROW_NUMBER_COLUMN} as _row_number
            from ({_file_rows_sql(batch[0])}) as rows
            cross join {_BATCH_FILES} as files"""


def _unreadable(landing_file: LandingFile, error: Exception) -> str:
    first_line = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    return (
        f"{Violation.UNREADABLE}: {landing_file.relative_path} cannot be read as "
        f"{landing_file.file_format.upper()}: {first_line}"
    )


def _column_types(
    connection: duckdb.DuckDBPyConnection, landing_file: LandingFile
) -> dict[str, str]:
    """Lower-cased column name -> DuckDB type of the file's own columns."""
    reader = _reader_sql([landing_file], with_lineage=False)
    described = connection.execute(f"describe select * from {reader}").fetchall()
    return {name.lower(): sql_type for name, sql_type, *_ in described}


def _describe(connection: duckdb.DuckDBPyConnection, landing_file: LandingFile) -> dict[str, str]:
    """The file's contract columns and their types; refuses the file if it cannot be
    read or lacks a required column."""
    refused = _unreadable_on_sight(landing_file)
    if refused:
        raise FileRefusedError(f"{Violation.UNREADABLE}: {landing_file.relative_path} {refused}")
    try:
        columns = _column_types(connection, landing_file)
    except duckdb.Error as error:
        if not _is_the_files_fault(error):
            raise
        raise FileRefusedError(_unreadable(landing_file, error)) from error
    reserved = sorted(c for c in columns if c.startswith("__salesdw") or c == "file_row_number")
    if reserved:
        raise FileRefusedError(
            f"{Violation.UNREADABLE}: {landing_file.relative_path} has a column named "
            f"{', '.join(reserved)}, a name the loader reserves for its own use"
        )
    required = landing_file.table.column_names
    missing = [c for c in required if c.lower() not in columns]
    if len(missing) == len(required) and landing_file.file_format == "csv":
        raise FileRefusedError(
            f"{Violation.UNREADABLE}: {landing_file.relative_path} has no header row naming "
            "the contract's columns (a CSV needs a header, commas and the same number of "
            "fields on every line)"
        )
    if missing:
        raise FileRefusedError(
            f"{Violation.MISSING_COLUMN}: {landing_file.relative_path} lacks required column"
            f"{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"of {landing_file.table.qualified}"
        )
    wanted = {name.lower() for name in (*required, "is_deleted")}
    return {name: sql_type for name, sql_type in columns.items() if name in wanted}


def _unreadable_on_sight(landing_file: LandingFile) -> str | None:
    """Why the file cannot be read, when its name alone tells."""
    if landing_file.path.suffix.lower() not in READABLE_SUFFIXES:
        return "is not a .parquet or .csv file"
    path = str(landing_file.path)
    if "\\" in path and any(character in path for character in "[*?"):
        # With a glob character in the path DuckDB reads a backslash as an escape.
        return "has a backslash in a path with [, * or ?, which DuckDB cannot open; rename it"
    return None


def _next_file_id(connection: duckdb.DuckDBPyConnection) -> int:
    row = connection.execute("select nextval('raw.ingest_file_id')").fetchone()
    assert row is not None
    return int(row[0])


def _register_batch(
    connection: duckdb.DuckDBPyConnection, batch: Sequence[LandingFile]
) -> list[int]:
    """Give each file its ledger id, in load order, and list the batch for the query."""
    file_ids = [_next_file_id(connection) for _ in batch]
    connection.execute(
        f"create temp table {_BATCH_FILES} (file_id bigint, path varchar, relative_path varchar)"
    )
    connection.executemany(
        f"insert into {_BATCH_FILES} values (?, ?, ?)",
        [
            (file_id, str(landing_file.path), landing_file.relative_path)
            for file_id, landing_file in zip(file_ids, batch, strict=True)
        ],
    )
    return file_ids


def _check_rows(
    connection: duckdb.DuckDBPyConnection, to_load: _Batch, codes: ReferenceCodes
) -> None:
    # The files of a batch share their contract columns' types, so what _describe read
    # of each file is what the batch's reader gives: no need to ask DuckDB again.
    query = checked_rows_sql(
        to_load.files[0].table,
        _batch_rows_sql(to_load.files, to_load.columns),
        to_load.columns,
        codes,
    )
    connection.execute(f"create temp table {_CHECKED} as {query}")


def _store_rows(
    connection: duckdb.DuckDBPyConnection,
    batch: Sequence[LandingFile],
    file_ids: Sequence[int],
    loaded_at: datetime,
) -> list[FileResult]:
    connection.execute(
        f"""
        insert into {raw_table_name(batch[0].table)} by name
        select * exclude (_reason), ? as _loaded_at
        from {_CHECKED} where _reason is null
        """,
        (loaded_at,),
    )
    counts = {
        file_id: (int(read), int(rejected))
        for file_id, read, rejected in connection.execute(
            f"select _file_id, count(*), count(_reason) from {_CHECKED} group by all"
        ).fetchall()
    }
    results = []
    for file_id, landing_file in zip(file_ids, batch, strict=True):
        rows_read, rows_rejected = counts.get(file_id, (0, 0))
        if rows_rejected:
            _store_rejects(connection, landing_file, file_id, loaded_at)
        result = FileResult(
            landing_file.relative_path,
            landing_file.table.qualified,
            FileStatus.LOADED,
            rows_read=rows_read,
            rows_loaded=rows_read - rows_rejected,
            rows_rejected=rows_rejected,
        )
        _record(connection, landing_file, file_id, result, loaded_at)
        results.append(result)
    return results


def _store_rejects(
    connection: duckdb.DuckDBPyConnection,
    landing_file: LandingFile,
    file_id: int,
    loaded_at: datetime,
) -> None:
    """Keep each bad row as its file had it, every column of it, so a person can check
    the reason against the row and fix it at the source."""
    connection.execute(
        f"""
        insert into {REJECTS}
        select
            ?, ?, checked._file_id, checked._source_file, checked._row_number,
            json_merge_patch(to_json(file_rows), '{{"{_ROW_NUMBER_COLUMN}": null}}'),
            checked._reason, ?
        from {_CHECKED} as checked
        inner join ({_file_rows_sql(landing_file)}) as file_rows
            on checked._row_number = file_rows.{_ROW_NUMBER_COLUMN}
        where checked._file_id = ? and checked._reason is not null
        """,
        (landing_file.table.source, landing_file.table.name, loaded_at, file_id),
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
    connection: duckdb.DuckDBPyConnection, landing_file: LandingFile, error: str
) -> FileResult:
    result = FileResult(
        landing_file.relative_path,
        landing_file.table.qualified,
        FileStatus.REFUSED,
        error=error,
    )
    connection.begin()
    loaded_at = datetime.now(UTC).replace(tzinfo=None)
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
