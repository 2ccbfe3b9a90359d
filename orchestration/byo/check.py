"""``salesdw import --check``: a mapping against the export files it maps.

Every problem names the line of the mapping that caused it and, for a value that
cannot be read or is not a contract code, the values and how many rows have them.
Errors stop an import; warnings (rows the ingestion will reject, currencies without
rates) do not."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.byo.mapping import ExportMapping, FileMapping, TableMapping
from orchestration.byo.readers import (
    ExportReadError,
    export_view,
    matching_files,
    scratch_connection,
)
from orchestration.byo.sql import column_sql, mapped_text, output_columns
from orchestration.raw import reference
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.raw.contract import TABLES_BY_PATH, Column, Kind, Ref
from orchestration.settings import Settings

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
class _Scope:
    """One export file entry being checked: its view in DuckDB and the run's settings."""

    connection: duckdb.DuckDBPyConnection
    mapping: ExportMapping
    entry: FileMapping
    view: str
    settings: Settings


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
    for assumption in mapping.assumptions:
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
    with scratch_connection() as connection:
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
