"""``salesdw import``: a folder of export files -> contract files in the landing folder.

The check runs first and points every problem at the mapping line that caused it and
the value that broke it; nothing is written when it finds an error. Then each contract
table is one DuckDB query over the export, written as Parquet into
``<landing>/<source>/<table>/<mapping name>__<file>.parquet`` (atomically: a partly
written file is never visible to the ingestion), and ``<landing>/_imports/`` records
what was imported, under which assumptions and settings."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.byo.mapping import (
    Assumption,
    ExportMapping,
    FileMapping,
    TableMapping,
    contract_columns,
)
from orchestration.byo.readers import ExportReadError, export_view, matching_files
from orchestration.byo.sql import column_sql, mapped_text, output_columns, table_select
from orchestration.raw import reference
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.raw.contract import TABLES_BY_PATH, Column, Kind, Ref, Table
from orchestration.settings import Settings

IMPORTS_FOLDER = "_imports"
"""Under the landing folder; the ingestion skips folders starting with ``_``."""
_SAMPLES = 3
_KIND_NAMES = {
    Kind.STR: "text",
    Kind.TS: "a timestamp",
    Kind.DATE: "a date",
    Kind.BOOL: "true or false",
    Kind.INT: "a whole number",
    Kind.MONEY: "a number",
    Kind.QUANTITY: "a number",
    Kind.RATE: "a number",
}


@dataclass(frozen=True)
class Problem:
    """Something wrong with a mapping or an export, at a line of the mapping."""

    line: int
    message: str
    is_error: bool = True

    def render(self, mapping: ExportMapping) -> str:
        level = "error" if self.is_error else "warning"
        return f"{mapping.where(self.line)}: {level}: {self.message}"


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


@dataclass(frozen=True)
class _Scope:
    """One export file entry being checked: its view in DuckDB and the run's settings."""

    connection: duckdb.DuckDBPyConnection
    mapping: ExportMapping
    entry: FileMapping
    view: str
    settings: Settings


@contextmanager
def _connection() -> Iterator[duckdb.DuckDBPyConnection]:
    connection = duckdb.connect()
    try:
        # Timestamps without an offset are read as UTC, as the contract says.
        connection.execute("set TimeZone = 'UTC'").fetchall()
        yield connection
    finally:
        connection.close()


def _accepted_codes(column: Column, settings: Settings) -> tuple[str, ...]:
    if column.accepted:
        return column.accepted
    if column.ref is Ref.CHANNEL:
        return reference.channel_codes(settings.seeds_dir)
    if column.ref is Ref.STAGE:
        return tuple(stage.code for stage in reference.stages(settings.seeds_dir))
    if column.ref is Ref.LOST_REASON:
        return tuple(reason.code for reason in reference.lost_reasons(settings.seeds_dir))
    return ()


def _samples(rows: list[tuple[str | None, str | None, int]]) -> str:
    shown = []
    for source, mapped, count in rows[:_SAMPLES]:
        value = repr(mapped)
        if source != mapped:
            value += f" (from {source!r})"
        shown.append(f"{value} in {count} row{'s' if count != 1 else ''}")
    more = f" and {len(rows) - _SAMPLES} more" if len(rows) > _SAMPLES else ""
    return ", ".join(shown) + more


def _stage_values(scope: _Scope, table_mapping: TableMapping, column: Column) -> str:
    """A temp table of the column's source, mapped and typed value per row of the
    table (an expression may be a window function, so they are computed first)."""
    spec = table_mapping.mapped(column.name)
    assert spec is not None
    mapped = mapped_text(spec)
    source = f"cast({quote_identifier(spec.column)} as varchar)" if spec.column else mapped
    typed = column_sql(scope.mapping, scope.entry, column, spec)
    where = f" where {table_mapping.where}" if table_mapping.where else ""
    scope.connection.execute(
        f"create or replace temp table staged_values as select {source} as source,"
        f" {mapped} as mapped, {typed} as typed from {scope.view}{where}"
    ).fetchall()
    return "staged_values"


def _offending(
    scope: _Scope, staged: str, condition: str
) -> list[tuple[str | None, str | None, int]]:
    """The (source, mapped) values of the rows where ``condition`` holds, commonest first."""
    return scope.connection.execute(
        f"select source, mapped, count(*) as rows from {staged} where {condition}"
        f" group by all order by rows desc, source limit {_SAMPLES + 1}"
    ).fetchall()


def _column_problems(scope: _Scope, table_mapping: TableMapping, column: Column) -> list[Problem]:
    spec = table_mapping.mapped(column.name)
    if spec is None:
        return []
    label = f"{table_mapping.table.qualified}.{column.name}"
    staged = _stage_values(scope, table_mapping, column)
    problems = []
    unparsed = _offending(scope, staged, "mapped is not null and typed is null")
    if unparsed:
        how = spec.date_format or scope.entry.date_format or "ISO"
        hint = f" with date_format {how!r}" if column.kind in {Kind.TS, Kind.DATE} else ""
        problems.append(
            Problem(
                spec.line,
                f"{label}: cannot read {_samples(unparsed)} as {_KIND_NAMES[column.kind]}{hint}",
            )
        )
    accepted = _accepted_codes(column, scope.settings)
    if accepted:
        codes = ", ".join(quote_literal(code) for code in accepted)
        condition = f"typed is not null and lower(trim(typed)) not in ({codes})"
        unknown = _offending(scope, staged, condition)
        if unknown:
            problems.append(
                Problem(
                    spec.line,
                    f"{label}: {_samples(unknown)} is not one of {', '.join(accepted)}:"
                    " add it to the map, or set a default",
                )
            )
    if column.ref is Ref.CURRENCY:
        problems += _foreign_currency(scope, staged, spec.line, label)
    if not column.nullable and not unparsed:
        empty = _offending(scope, staged, "typed is null")
        if empty:
            count = sum(row[2] for row in empty)
            problems.append(
                Problem(
                    spec.line,
                    f"{label} is empty in {count} row(s); the ingestion will reject them",
                    is_error=False,
                )
            )
    return problems


def _rates_warning(values: str, reporting_currency: str) -> str:
    return (
        f"{values}: not the reporting currency {reporting_currency}, and the mapping has no"
        " finance/fx_rates; the ingestion rejects amounts without a rate unless a rates"
        " file lands too"
    )


def _foreign_currency(scope: _Scope, staged: str, line: int, label: str) -> list[Problem]:
    if "finance/fx_rates" in scope.mapping.mapped_tables:
        return []
    reporting = quote_literal(scope.settings.reporting_currency)
    foreign = _offending(scope, staged, f"typed is not null and upper(typed) <> {reporting}")
    if not foreign:
        return []
    message = _rates_warning(f"{label}: {_samples(foreign)}", scope.settings.reporting_currency)
    return [Problem(line, message, is_error=False)]


def _default_currency_problems(mapping: ExportMapping, settings: Settings) -> list[Problem]:
    currency = mapping.defaults.get("currency")
    if currency is None or "finance/fx_rates" in mapping.mapped_tables:
        return []
    if str(currency).upper() == settings.reporting_currency:
        return []
    message = _rates_warning(f"defaults: currency {currency!r}", settings.reporting_currency)
    return [Problem(mapping.default_lines["currency"], message, is_error=False)]


def _expression_problems(scope: _Scope, table_mapping: TableMapping) -> list[Problem]:
    problems = []
    checks = [(spec.line, spec.expression) for spec in table_mapping.columns if spec.expression]
    if table_mapping.where:
        checks.append((table_mapping.line, table_mapping.where))
    for line, expression in checks:
        try:
            scope.connection.execute(f"select {expression} from {scope.view} limit 0").fetchall()
        except duckdb.Error as error:
            first_line = str(error).splitlines()[0]
            problems.append(Problem(line, f"expression {expression!r} fails: {first_line}"))
    return problems


def _missing_source_columns(table_mapping: TableMapping, columns: list[str]) -> list[Problem]:
    problems = []
    for spec in table_mapping.columns:
        for name in spec.source_columns:
            if name in columns:
                continue
            close = difflib.get_close_matches(name, columns, n=1, cutoff=0.6)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            problems.append(
                Problem(
                    spec.line,
                    f"{table_mapping.table.qualified}.{spec.target}: the export has no column"
                    f" {name!r}{hint} (it has {', '.join(map(repr, columns))})",
                )
            )
    return problems


def _unmapped_required(mapping: ExportMapping, table_mapping: TableMapping) -> list[Problem]:
    table = table_mapping.table
    return [
        Problem(
            table_mapping.line,
            f"{table.qualified}.{column.name} is required by the contract but not mapped:"
            f" map it, or give it under defaults",
        )
        for column in table.columns
        if not column.nullable
        and table_mapping.mapped(column.name) is None
        and column.name not in mapping.defaults
    ]


def _table_problems(
    scope: _Scope, table_mapping: TableMapping, columns: list[str]
) -> list[Problem]:
    problems = _unmapped_required(scope.mapping, table_mapping)
    problems += _missing_source_columns(table_mapping, columns)
    problems += _expression_problems(scope, table_mapping)
    if any(problem.is_error for problem in problems):
        return problems
    for column in output_columns(table_mapping):
        problems += _column_problems(scope, table_mapping, column)
    return problems


def _reference_problems(mapping: ExportMapping) -> list[Problem]:
    """Tables whose rows the ingestion checks against managers that are not mapped."""
    produced = set(mapping.mapped_tables) | set(mapping.assumed_tables)
    problems = []
    for file in mapping.files:
        for table_mapping in file.tables:
            names_managers = any(
                column.ref is Ref.MANAGER and table_mapping.mapped(column.name)
                for column in table_mapping.table.columns
            )
            if names_managers and "crm/managers" not in produced:
                problems.append(
                    Problem(
                        table_mapping.line,
                        f"{table_mapping.table.qualified} names managers, but the mapping has"
                        " no crm/managers: the ingestion would reject every row for an unknown"
                        " manager; map crm/managers (from the same file with one_row_per_key)",
                    )
                )
    return problems


def _default_problems(mapping: ExportMapping) -> list[Problem]:
    known = {column.name for table in TABLES_BY_PATH.values() for column in table.columns}
    return [
        Problem(mapping.default_lines[name], f"defaults: {name!r} is not a contract column")
        for name in mapping.defaults
        if name not in known
    ]


def _assumption_problems(mapping: ExportMapping) -> list[Problem]:
    problems = []
    available = set(mapping.mapped_tables)
    for assumption in sorted(
        mapping.assumptions, key=lambda a: list(TABLES_BY_PATH).index(a.produces)
    ):
        line = mapping.assumption_lines[assumption.value]
        if assumption.produces in mapping.mapped_tables:
            problems.append(
                Problem(
                    line,
                    f"{assumption.value}: the mapping already has {assumption.produces};"
                    " the assumption would add a second one",
                )
            )
        elif assumption.needs not in available:
            problems.append(
                Problem(line, f"{assumption.value} needs {assumption.needs}, which is not mapped")
            )
        available.add(assumption.produces)
    return problems


def check(mapping: ExportMapping, input_dir: Path, settings: Settings) -> list[Problem]:
    """Every problem of the mapping against the export files in ``input_dir``."""
    problems = _default_problems(mapping) + _assumption_problems(mapping)
    problems += _reference_problems(mapping) + _default_currency_problems(mapping, settings)
    with _connection() as connection:
        for index, entry in enumerate(mapping.files):
            scope = _Scope(connection, mapping, entry, f"export_{index}", settings)
            problems += _file_problems(scope, input_dir)
    return problems


def _file_problems(scope: _Scope, input_dir: Path) -> list[Problem]:
    entry = scope.entry
    files = matching_files(input_dir, entry)
    if not files:
        return [Problem(entry.line, f"no file in {input_dir} matches {entry.pattern!r}")]
    problems: list[Problem] = []
    try:
        with export_view(scope.connection, entry, files, scope.view) as columns:
            for table_mapping in entry.tables:
                problems += _table_problems(scope, table_mapping, columns)
    except ExportReadError as error:
        problems.append(Problem(entry.line, str(error)))
    return problems


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
    for assumption in sorted(
        mapping.assumptions, key=lambda a: list(TABLES_BY_PATH).index(a.needs)
    ):
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
    with _connection() as connection:
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
