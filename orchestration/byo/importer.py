"""``salesdw import``: a folder of export files -> contract files in the landing folder.

The check (``check.py``) runs first; nothing is written when it finds an error. Then
each contract table is one DuckDB query over the export, written as Parquet into
``<landing>/<source>/<table>/<mapping name>__<file>.parquet`` (atomically: a partly
written file is never visible to the ingestion), and ``<landing>/_imports/`` records
what was imported, under which assumptions and settings."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.byo.check import Problem, check
from orchestration.byo.mapping import Assumption, ExportMapping, contract_columns
from orchestration.byo.readers import export_view, matching_files, scratch_connection
from orchestration.byo.sql import table_select
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.raw.contract import TABLES_BY_PATH, Table
from orchestration.settings import Settings

IMPORTS_FOLDER = "_imports"
"""Under the landing folder; the ingestion skips folders starting with ``_``."""


@dataclass(frozen=True)
class WrittenFile:
    table: str
    path: Path
    rows: int
    assumption: Assumption | None = None


@dataclass
class ImportReport:
    problems: list[Problem] = field(default_factory=list)
    written: list[WrittenFile] = field(default_factory=list)

    @property
    def errors(self) -> list[Problem]:
        return [problem for problem in self.problems if problem.is_error]


def _write_parquet(connection: duckdb.DuckDBPyConnection, relation: str, target: Path) -> int:
    """Write atomically: the ingestion skips names starting with '.', so a file being
    written is never picked up half-way."""
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    # Sorted, so that the same export gives the same bytes and the ingestion, which knows
    # files by their content, does not load an unchanged re-import again.
    connection.execute(
        f"copy (select * from {relation} order by all)"
        f" to {quote_literal(str(partial))} (format parquet)"
    ).fetchall()
    partial.replace(target)
    # fetchall, not fetchone: DuckDB refuses new work while a result is unfinished.
    return connection.execute(f"select count(*) from {relation}").fetchall()[0][0]


def _assumed_select(assumption: Assumption, source: str) -> str:
    if assumption is Assumption.WON_DEALS_INVOICED_ON_CLOSE:
        return (
            "select 'invoice-of-' || deal_id as invoice_id, cast(null as varchar) as contract_id,"
            " deal_id, client_id, closed_at as issued_at, cast(closed_at as date) as due_on,"
            " amount, currency, 'issued' as status, updated_at"
            f" from {source} where status = 'won' and closed_at is not null"
        )
    return (
        "select 'payment-of-' || invoice_id as payment_id, invoice_id, issued_at as paid_at,"
        f" amount, currency from {source} where status <> 'cancelled'"
    )


def _contract_file(landing_dir: Path, table: Table, name: str) -> Path:
    return landing_dir / table.source / table.name / f"{name}.parquet"


def _write_tables(
    connection: duckdb.DuckDBPyConnection,
    mapping: ExportMapping,
    input_dir: Path,
    landing_dir: Path,
) -> list[WrittenFile]:
    written = []
    relations: dict[str, list[str]] = {}
    for index, entry in enumerate(mapping.files):
        view = f"export_{index}"
        with export_view(connection, entry, matching_files(input_dir, entry), view):
            for number, table_mapping in enumerate(entry.tables):
                table = table_mapping.table
                relation = f"contract_{index}_{number}"
                select = table_select(mapping, entry, table_mapping, view)
                connection.execute(f"create temp table {relation} as {select}").fetchall()
                relations.setdefault(table.qualified, []).append(relation)
                target = _contract_file(landing_dir, table, f"{mapping.name}__{entry.stem}")
                rows = _write_parquet(connection, relation, target)
                written.append(WrittenFile(table.qualified, target, rows))
    for assumption in mapping.assumptions:
        source = " union all ".join(f"select * from {r}" for r in relations[assumption.needs])
        table = TABLES_BY_PATH[assumption.produces]
        relation = f"assumed_{assumption.value}"
        columns = ", ".join(quote_identifier(column.name) for column in table.columns)
        connection.execute(
            f"create temp table {relation} as select {columns} from"
            f" ({_assumed_select(assumption, f'({source})')}) as assumed"
        ).fetchall()
        relations[assumption.produces] = [relation]
        target = _contract_file(landing_dir, table, f"{mapping.name}__assumed")
        rows = _write_parquet(connection, relation, target)
        written.append(WrittenFile(table.qualified, target, rows, assumption))
    return written


def with_mapping_settings(mapping: ExportMapping, settings: Settings) -> Settings:
    """``settings`` with the mapping's ``settings:`` block on top of them."""
    chosen = mapping.settings
    return replace(
        settings,
        reporting_currency=chosen.reporting_currency or settings.reporting_currency,
        reporting_time_zone=chosen.time_zone or settings.reporting_time_zone,
        fiscal_year_start_month=chosen.fiscal_year_start_month or settings.fiscal_year_start_month,
    )


def settings_variables(settings: Settings) -> dict[str, str]:
    """The dataset's settings as the ``SALESDW_*`` variables the pipeline reads."""
    return {
        "SALESDW_REPORTING_CURRENCY": settings.reporting_currency,
        "SALESDW_REPORTING_TIME_ZONE": settings.reporting_time_zone,
        "SALESDW_FISCAL_YEAR_START_MONTH": str(settings.fiscal_year_start_month),
    }


def _write_record(
    mapping: ExportMapping,
    input_dir: Path,
    landing_dir: Path,
    written: list[WrittenFile],
    settings: Settings,
) -> None:
    folder = landing_dir / IMPORTS_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    variables = settings_variables(settings)
    record = {
        "mapping": str(mapping.path.resolve()),
        "name": mapping.name,
        "description": mapping.description,
        "input": str(input_dir.resolve()),
        "imported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source_time_zone": mapping.source_time_zone,
        "settings": variables,
        "assumptions": [
            {
                "name": assumption.value,
                "produces": assumption.produces,
                "from": assumption.needs,
                "means": assumption.description,
            }
            for assumption in mapping.assumptions
        ],
        "files": [
            {
                "table": file.table,
                "path": str(file.path.relative_to(landing_dir)),
                "rows": file.rows,
                "assumption": file.assumption.value if file.assumption else None,
            }
            for file in written
        ],
    }
    (folder / f"{mapping.name}.json").write_text(
        json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    lines = [f"export {name}={value}" for name, value in variables.items()]
    (folder / f"{mapping.name}.env").write_text("\n".join(lines) + "\n", encoding="utf-8")


def import_export(
    mapping: ExportMapping, input_dir: Path, landing_dir: Path, settings: Settings
) -> ImportReport:
    """Check, then (when the check finds no error) write the contract files; the record
    in ``_imports/`` keeps ``settings`` as the dataset's settings."""
    report = ImportReport(problems=check(mapping, input_dir, settings))
    if report.errors:
        return report
    with scratch_connection() as connection:
        report.written = _write_tables(connection, mapping, input_dir, landing_dir)
    _write_record(mapping, input_dir, landing_dir, report.written, settings)
    return report


def produced_columns(mapping: ExportMapping) -> dict[str, set[str]]:
    """Contract table -> the columns the mapping fills (mapped, defaulted or assumed)."""
    produced: dict[str, set[str]] = {}
    for file in mapping.files:
        for table_mapping in file.tables:
            table = table_mapping.table
            filled = {
                column.name
                for column in contract_columns(table)
                if table_mapping.mapped(column.name) or column.name in mapping.defaults
            }
            produced.setdefault(table.qualified, set()).update(filled)
    for assumption in mapping.assumptions:
        table = TABLES_BY_PATH[assumption.produces]
        produced[assumption.produces] = set(table.column_names)
    return produced
