"""Export files as DuckDB relations of text columns.

Every value is read as text, so that the mapping alone decides how a date, a number
or a code is read: CSV (any delimiter; UTF-8 with or without a byte-order mark, or
any encoding Python knows, transcoded on the way), Excel ``.xlsx`` (openpyxl: DuckDB's
excel extension is not available offline) and Parquet."""

from __future__ import annotations

import codecs
import math
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa

from orchestration.byo.mapping import FileMapping
from orchestration.raw.checks import quote_identifier, quote_literal

_UTF8_NAMES = frozenset({"utf-8", "utf8", "utf-8-sig", "utf_8"})
_CHUNK_CHARACTERS = 1 << 20


class ExportReadError(ValueError):
    """An export file that cannot be read as the mapping says."""


@contextmanager
def scratch_connection() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory DuckDB to read exports in; timestamps without an offset are UTC."""
    connection = duckdb.connect()
    try:
        connection.execute("set TimeZone = 'UTC'").fetchall()
        yield connection
    finally:
        connection.close()


def matching_files(input_dir: Path, entry: FileMapping) -> list[Path]:
    """The files of ``entry``'s pattern in ``input_dir``, sorted, hidden ones left out."""
    return sorted(
        path
        for path in input_dir.glob(entry.pattern)
        if path.is_file() and not path.name.startswith((".", "~$"))
    )


def _file_format(entry: FileMapping, files: list[Path]) -> str:
    if entry.file_format:
        return entry.file_format
    suffixes = {path.suffix.lower().lstrip(".") for path in files}
    if len(suffixes) == 1 and (suffix := suffixes.pop()) in {"csv", "xlsx", "parquet"}:
        return suffix
    if suffixes <= {"txt", "csv"}:
        return "csv"
    raise ExportReadError(
        f"cannot tell the format of {', '.join(p.name for p in files)}: set format"
    )


def _transcode(path: Path, encoding: str, target: Path) -> Path:
    """A UTF-8 copy of a text file in another encoding, converted in chunks."""
    try:
        decoder_info = codecs.lookup(encoding)
    except LookupError:
        raise ExportReadError(f"unknown encoding {encoding!r}") from None
    with (
        path.open(encoding=decoder_info.name, newline="") as source,
        target.open("w", encoding="utf-8", newline="") as sink,
    ):
        try:
            while chunk := source.read(_CHUNK_CHARACTERS):
                sink.write(chunk)
        except UnicodeDecodeError as error:
            raise ExportReadError(f"{path.name} is not {encoding}: {error.reason}") from None
    return target


def _csv_relation(entry: FileMapping, files: list[Path], scratch: Path) -> str:
    if entry.encoding.lower() not in _UTF8_NAMES:
        files = [
            _transcode(path, entry.encoding, scratch / f"{index}.csv")
            for index, path in enumerate(files)
        ]
    paths = "[" + ", ".join(quote_literal(str(path)) for path in files) + "]"
    options = ["header = true", "all_varchar = true", "union_by_name = true"]
    if entry.delimiter:
        options.append(f"delim = {quote_literal(entry.delimiter)}")
    return f"read_csv({paths}, {', '.join(options)})"


def _parquet_relation(connection: duckdb.DuckDBPyConnection, files: list[Path]) -> str:
    paths = "[" + ", ".join(quote_literal(str(path)) for path in files) + "]"
    relation = f"read_parquet({paths}, union_by_name = true)"
    names = [row[0] for row in connection.execute(f"describe select * from {relation}").fetchall()]
    casts = ", ".join(
        f"cast({quote_identifier(n)} as varchar) as {quote_identifier(n)}" for n in names
    )
    return f"(select {casts} from {relation})"


def _reason(error: duckdb.Error) -> str:
    """DuckDB's message up to its first blank line (the rest lists reader options),
    with a hint when the text is not UTF-8."""
    reason = " ".join(str(error).split("\n\n", 1)[0].split())
    if "unicode" in reason.lower():
        reason += " Set the file's encoding in the mapping, e.g. encoding: windows-1251"
    return reason


def _cell_text(value: object) -> str | None:
    """An Excel cell as the text a CSV export would have: ISO dates, plain numbers."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and math.isfinite(value) else repr(value)
    text = str(value).strip()
    return text or None


def _xlsx_table(path: Path, sheet: str | None) -> pa.Table:
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        if sheet is not None and sheet not in workbook.sheetnames:
            raise ExportReadError(
                f"{path.name} has no sheet {sheet!r} ({', '.join(workbook.sheetnames)})"
            )
        worksheet = workbook[sheet] if sheet is not None else workbook.worksheets[0]
        rows = worksheet.iter_rows(values_only=True)
        header = [_cell_text(cell) for cell in next(rows, ())]
        columns: list[list[str | None]] = [[] for _ in header]
        for row in rows:
            texts = [_cell_text(cell) for cell in row]
            if not any(texts):
                continue
            for index, values in enumerate(columns):
                values.append(texts[index] if index < len(texts) else None)
    finally:
        workbook.close()
    names = [name or f"column{index + 1}" for index, name in enumerate(header)]
    return pa.table(
        {name: pa.array(values, pa.string()) for name, values in zip(names, columns, strict=True)}
    )


def _xlsx_relation(
    connection: duckdb.DuckDBPyConnection, entry: FileMapping, files: list[Path], view: str
) -> str:
    tables = [_xlsx_table(path, entry.sheet) for path in files]
    combined = pa.concat_tables(tables, promote_options="default")
    connection.register(f"{view}_arrow", combined)
    return f"{view}_arrow"


@contextmanager
def export_view(
    connection: duckdb.DuckDBPyConnection, entry: FileMapping, files: list[Path], view: str
) -> Iterator[list[str]]:
    """Create temp view ``view`` over the files of ``entry``; yields its column names."""
    with tempfile.TemporaryDirectory(prefix="salesdw-byo-") as scratch:
        file_format = _file_format(entry, files)
        try:
            if file_format == "csv":
                relation = _csv_relation(entry, files, Path(scratch))
            elif file_format == "parquet":
                relation = _parquet_relation(connection, files)
            else:
                relation = _xlsx_relation(connection, entry, files, view)
            connection.execute(
                f"create or replace temp view {view} as select * from {relation}"
            ).fetchall()
            columns = [row[0] for row in connection.execute(f"describe {view}").fetchall()]
        except duckdb.Error as error:
            names = ", ".join(path.name for path in files)
            raise ExportReadError(
                f"{names} cannot be read as {file_format}: {_reason(error)}"
            ) from None
        yield columns
