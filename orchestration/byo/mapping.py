"""Mapping files: what a folder of CRM or finance export files means in the raw contract.

A mapping is YAML, validated against ``mapping.schema.json`` (the one definition of
its shape, which editors can use too). The loader keeps the line of every key, so an
error names the line of the mapping that caused it."""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from orchestration.raw.contract import TABLES_BY_PATH, Column, Kind, Table

SCHEMA_PATH = Path(__file__).with_name("mapping.schema.json")

Constant = str | int | float | bool | None


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the mapping file and line."""


class Assumption(StrEnum):
    """Named assumptions for exports that lack a table, each producing that table."""

    WON_DEALS_INVOICED_ON_CLOSE = "won_deals_invoiced_on_close"
    INVOICES_PAID_IN_FULL_ON_ISSUE = "invoices_paid_in_full_on_issue"

    @property
    def description(self) -> str:
        return _ASSUMPTIONS[self][2]

    @property
    def needs(self) -> str:
        """The contract table the assumption is derived from."""
        return _ASSUMPTIONS[self][0]

    @property
    def produces(self) -> str:
        """The contract table the assumption stands in for."""
        return _ASSUMPTIONS[self][1]


_ASSUMPTIONS: dict[Assumption, tuple[str, str, str]] = {
    Assumption.WON_DEALS_INVOICED_ON_CLOSE: (
        "crm/deals",
        "finance/invoices",
        "every won deal is invoiced for its amount on its close date",
    ),
    Assumption.INVOICES_PAID_IN_FULL_ON_ISSUE: (
        "finance/invoices",
        "finance/payments",
        "every invoice that is not cancelled is paid in full on its issue date",
    ),
}


class _Marked:
    """Where a YAML node was: ``line`` of the node, ``key_lines`` of a mapping's keys,
    ``item_lines`` of a sequence's items (all 1-based)."""

    line: int = 0
    key_lines: dict[str, int]
    item_lines: list[int]


class MarkedDict(dict[str, Any], _Marked):
    pass


class MarkedList(list[Any], _Marked):
    pass


class _MarkedLoader(yaml.SafeLoader):
    """A safe loader whose mappings and sequences remember their lines."""


def _construct_mapping(loader: _MarkedLoader, node: yaml.MappingNode) -> MarkedDict:
    marked = MarkedDict()
    marked.line = node.start_mark.line + 1
    marked.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        marked[str(key)] = loader.construct_object(value_node, deep=True)
        marked.key_lines[str(key)] = key_node.start_mark.line + 1
    return marked


def _construct_sequence(loader: _MarkedLoader, node: yaml.SequenceNode) -> MarkedList:
    marked = MarkedList(loader.construct_object(item, deep=True) for item in node.value)
    marked.line = node.start_mark.line + 1
    marked.item_lines = [item.start_mark.line + 1 for item in node.value]
    return marked


_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_MarkedLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)


def line_of(document: object, path: Iterable[str | int]) -> int:
    """The line of the deepest node along ``path`` (keys and list indexes)."""
    line = getattr(document, "line", 1)
    node: object = document
    for step in path:
        if isinstance(node, MarkedDict) and isinstance(step, str) and step in node:
            line = node.key_lines[step]
            node = node[step]
        elif isinstance(node, MarkedList) and isinstance(step, int) and step < len(node):
            line = node.item_lines[step]
            node = node[step]
        else:
            break
    return line


@dataclass(frozen=True)
class ColumnMapping:
    """How one contract column is made from a file's row."""

    target: str
    line: int
    column: str | None = None
    value: Constant = None
    has_value: bool = False
    expression: str | None = None
    id_from: tuple[str, ...] = ()
    prefix: str = ""
    value_map: Mapping[str, Constant] = field(default_factory=dict)
    default: Constant = None
    date_format: str | None = None
    decimal: str | None = None

    @property
    def source_columns(self) -> tuple[str, ...]:
        """The file columns named directly (an expression's are checked by DuckDB)."""
        return (self.column,) if self.column else self.id_from


@dataclass(frozen=True)
class TableMapping:
    """One contract table fed by one export file entry."""

    table: Table
    line: int
    columns: tuple[ColumnMapping, ...]
    where: str | None = None
    one_row_per_key: bool = False

    def mapped(self, name: str) -> ColumnMapping | None:
        return next((column for column in self.columns if column.target == name), None)


@dataclass(frozen=True)
class FileMapping:
    """An export file (or a glob of them) and the tables it feeds."""

    pattern: str
    line: int
    file_format: str | None
    delimiter: str | None
    encoding: str
    sheet: str | None
    decimal: str
    date_format: str | None
    tables: tuple[TableMapping, ...]

    @property
    def stem(self) -> str:
        """A file-name-safe label of the entry, for the contract files it writes."""
        cleaned = "".join(c if c.isalnum() else "_" for c in Path(self.pattern).stem)
        return cleaned.strip("_").lower() or "export"


@dataclass(frozen=True)
class MappingSettings:
    reporting_currency: str | None = None
    time_zone: str | None = None
    fiscal_year_start_month: int | None = None


@dataclass(frozen=True)
class ExportMapping:
    """A loaded, schema-valid mapping file."""

    path: Path
    name: str
    description: str
    source_time_zone: str
    settings: MappingSettings
    defaults: Mapping[str, Constant]
    default_lines: Mapping[str, int]
    assumptions: tuple[Assumption, ...]
    assumption_lines: Mapping[str, int]
    files: tuple[FileMapping, ...]

    def where(self, line: int) -> str:
        """``mapping.yml:12``: how an error points at the mapping."""
        return f"{self.path}:{line}"

    @property
    def mapped_tables(self) -> tuple[str, ...]:
        """Contract tables fed by the files, in contract load order."""
        fed = {entry.table.qualified for file in self.files for entry in file.tables}
        return tuple(name for name in TABLES_BY_PATH if name in fed)

    @property
    def assumed_tables(self) -> dict[str, Assumption]:
        return {assumption.produces: assumption for assumption in self.assumptions}


def contract_columns(table: Table) -> tuple[Column, ...]:
    """The table's contract columns, with the optional ``is_deleted`` of CRM tables."""
    if table.deletable:
        return (*table.columns, Column("is_deleted", Kind.BOOL, nullable=True))
    return table.columns


def _schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def _schema_errors(path: Path, document: object) -> list[str]:
    validator = jsonschema.Draft202012Validator(_schema())
    errors = sorted(validator.iter_errors(document), key=lambda error: list(error.absolute_path))
    messages = []
    for error in errors:
        steps = list(error.absolute_path)
        if error.validator == "additionalProperties" and isinstance(error.instance, dict):
            # Point at the unexpected key itself, not at the mapping that holds it.
            allowed = set(error.schema.get("properties", {}))
            steps += [key for key in error.instance if key not in allowed][:1]
        where = "/".join(str(step) for step in steps) or "(top)"
        messages.append(f"{path}:{line_of(document, steps)}: {where}: {error.message}")
    return messages


def _column(name: str, spec: object, line: int) -> ColumnMapping:
    if isinstance(spec, str):
        return ColumnMapping(target=name, line=line, column=spec)
    assert isinstance(spec, dict)  # the schema allows a string or an object
    id_from = spec.get("id_from")
    return ColumnMapping(
        target=name,
        line=line,
        column=spec.get("column"),
        value=spec.get("value"),
        has_value="value" in spec,
        expression=spec.get("expression"),
        id_from=(id_from,) if isinstance(id_from, str) else tuple(id_from or ()),
        prefix=spec.get("prefix", ""),
        value_map={str(key): value for key, value in (spec.get("map") or {}).items()},
        default=spec.get("default"),
        date_format=spec.get("date_format"),
        decimal=spec.get("decimal"),
    )


def _unknown(kind: str, name: str, known: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else ""
    return f"{name!r} is not a {kind}{hint}"


def _table(path: Path, name: str, spec: MarkedDict, line: int) -> TableMapping:
    if name not in TABLES_BY_PATH:
        raise MappingError(
            f"{path}:{line}: {_unknown('contract table', name, list(TABLES_BY_PATH))}"
        )
    table = TABLES_BY_PATH[name]
    known = [column.name for column in contract_columns(table)]
    columns = []
    for target, column_spec in spec["columns"].items():
        column_line = spec["columns"].key_lines[target]
        if target not in known:
            problem = _unknown(f"column of {name}", target, known)
            raise MappingError(f"{path}:{column_line}: {problem}")
        columns.append(_column(target, column_spec, column_line))
    return TableMapping(
        table=table,
        line=line,
        columns=tuple(columns),
        where=spec.get("where"),
        one_row_per_key=bool(spec.get("one_row_per_key", False)),
    )


def _file(path: Path, spec: MarkedDict, line: int) -> FileMapping:
    tables = spec["tables"]
    return FileMapping(
        pattern=spec["path"],
        line=line,
        file_format=spec.get("format"),
        delimiter=spec.get("delimiter"),
        encoding=spec.get("encoding", "utf-8"),
        sheet=spec.get("sheet"),
        decimal=spec.get("decimal", "."),
        date_format=spec.get("date_format"),
        tables=tuple(
            _table(path, name, table_spec, tables.key_lines[name])
            for name, table_spec in tables.items()
        ),
    )


def load_mapping(path: Path) -> ExportMapping:
    """Read and validate a mapping file; MappingError naming the line of every problem."""
    try:
        document = yaml.load(
            path.read_text(encoding="utf-8"), Loader=_MarkedLoader
        )  # a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark else 1
        raise MappingError(f"{path}:{line}: not valid YAML: {error.problem}") from None
    except OSError as error:
        raise MappingError(f"{path}: cannot be read: {error.strerror}") from None
    errors = _schema_errors(path, document)
    if errors:
        raise MappingError("\n".join(errors))
    settings = document.get("settings") or {}
    defaults = document.get("defaults") or MarkedDict()
    assumptions = document.get("assumptions") or MarkedDict()
    return ExportMapping(
        path=path,
        name=document["name"],
        description=document.get("description", ""),
        source_time_zone=document.get("source_time_zone", "UTC"),
        settings=MappingSettings(
            reporting_currency=(settings.get("reporting_currency") or "").upper() or None,
            time_zone=settings.get("time_zone"),
            fiscal_year_start_month=settings.get("fiscal_year_start_month"),
        ),
        defaults=dict(defaults),
        default_lines=dict(getattr(defaults, "key_lines", {})),
        # In the enum's order: an assumption comes after the one its table may rest on.
        assumptions=tuple(a for a in Assumption if assumptions.get(a.value)),
        assumption_lines=dict(getattr(assumptions, "key_lines", {})),
        files=tuple(
            _file(path, spec, document["files"].item_lines[index])
            for index, spec in enumerate(document["files"])
        ),
    )
