"""The mapping as DuckDB SQL: one set-based select per contract table, no row loops.

Each contract column goes through the same steps: the file's text (or a constant, an
expression, an id made from names), then the value map and the default, then parsing
into the contract's type by the declared date and number formats. A value that does
not parse becomes NULL here; the check reports it before anything is written."""

from __future__ import annotations

import re

from orchestration.byo.mapping import (
    ColumnMapping,
    Constant,
    ExportMapping,
    FileMapping,
    TableMapping,
    contract_columns,
)
from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.raw.contract import Column, Kind, Table

_DATE_TOKENS = {
    "YYYY": "%Y",
    "YY": "%y",
    "MM": "%m",
    "M": "%m",
    "DD": "%d",
    "D": "%d",
    "HH": "%H",
    "H": "%H",
    "mm": "%M",
    "ss": "%S",
}
_TOKEN_PATTERN = re.compile("|".join(sorted(_DATE_TOKENS, key=len, reverse=True)))
_TRUE_WORDS = ("true", "t", "yes", "y", "1", "да", "д")
_FALSE_WORDS = ("false", "f", "no", "n", "0", "нет", "н")
ISO = "ISO"


def strptime_format(date_format: str) -> str:
    """``DD.MM.YYYY HH:mm`` -> ``%d.%m.%Y %H:%M`` (DuckDB reads one-digit months and
    days with ``%m`` and ``%d``, so ``M/D/YYYY`` works too)."""
    return _TOKEN_PATTERN.sub(
        lambda match: _DATE_TOKENS[match.group(0)], date_format.replace("%", "%%")
    )


def literal(value: Constant) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "'true'" if value else "'false'"
    return quote_literal(str(value))


def source_text(spec: ColumnMapping) -> str:
    """The column's text before the value map: trimmed, empty as NULL."""
    if spec.column is not None:
        return f"nullif(trim({quote_identifier(spec.column)}), '')"
    if spec.expression is not None:
        return f"nullif(trim(cast(({spec.expression}) as varchar)), '')"
    if spec.id_from:
        # A stable id from names: the same name, in any case and spacing, gives the same
        # id; several columns are joined by a space, so first and last name columns
        # match a full-name column elsewhere.
        joined = ", ".join(quote_identifier(name) for name in spec.id_from)
        name = f"lower(trim(regexp_replace(concat_ws(' ', {joined}), '\\s+', ' ', 'g')))"
        return (
            f"case when {name} <> '' then"
            f" {quote_literal(spec.prefix)} || substr(md5({name}), 1, 12) end"
        )
    return literal(spec.value)


def mapped_text(spec: ColumnMapping) -> str:
    """The text after the value map and the default."""
    text = source_text(spec)
    fallback = literal(spec.default) if spec.default is not None else None
    if spec.value_map:
        whens = " ".join(
            f"when {quote_literal(key.strip().lower())} then {literal(value)}"
            for key, value in spec.value_map.items()
        )
        text = f"(case lower({text}) {whens} else {fallback or text} end)"
    elif fallback is not None:
        text = f"coalesce({text}, {fallback})"
    return text


def _number(text: str, decimal: str) -> str:
    # Spaces (also no-break and thin ones) group digits in Russian exports: 1 234,50.
    cleaned = f"regexp_replace({text}, '[\\s\u00a0\u202f'']', '', 'g')"
    return f"replace({cleaned}, ',', '.')" if decimal == "," else cleaned


def _timestamp(text: str, date_format: str | None, time_zone: str) -> str:
    if date_format and date_format.upper() != ISO:
        parsed = f"try_strptime({text}, {quote_literal(strptime_format(date_format))})"
    elif time_zone == "UTC":
        # Through TIMESTAMPTZ, so that an explicit offset is honoured (session zone UTC).
        return f"try_cast(try_cast({text} as timestamptz) as timestamp)"
    else:
        parsed = f"try_cast({text} as timestamp)"
    if time_zone == "UTC":
        return parsed
    return f"timezone('UTC', timezone({quote_literal(time_zone)}, {parsed}))"


def typed(column: Column, text: str, date_format: str | None, decimal: str, time_zone: str) -> str:
    """``text`` parsed into the contract column's type; NULL where it does not parse."""
    kind = column.kind
    if kind is Kind.STR:
        return f"upper({text})" if column.name == "currency" else text
    if kind is Kind.TS:
        return _timestamp(text, date_format, time_zone)
    if kind is Kind.DATE:
        return f"cast({_timestamp(text, date_format, 'UTC')} as date)"
    if kind is Kind.BOOL:
        lowered = f"lower({text})"
        true_words = ", ".join(map(quote_literal, _TRUE_WORDS))
        false_words = ", ".join(map(quote_literal, _FALSE_WORDS))
        return (
            f"(case when {lowered} in ({true_words}) then true"
            f" when {lowered} in ({false_words}) then false end)"
        )
    number = _number(text, decimal)
    if kind is Kind.INT:
        return f"try_cast(try_cast({number} as decimal(38, 6)) as bigint)"
    return f"try_cast({number} as {kind.value})"


def column_sql(
    mapping: ExportMapping, entry: FileMapping, column: Column, spec: ColumnMapping | None
) -> str:
    """The SQL of one contract column of ``entry``: mapped, defaulted or NULL."""
    if spec is None:
        default = mapping.defaults.get(column.name)
        text = literal(default)
        date_format, decimal = None, "."
    else:
        text = mapped_text(spec)
        # A constant is written in the mapping, not the export: ISO unless told otherwise.
        date_format = spec.date_format or (None if spec.has_value else entry.date_format)
        decimal = spec.decimal or entry.decimal
    return typed(column, text, date_format, decimal, mapping.source_time_zone)


def table_select(
    mapping: ExportMapping, entry: FileMapping, table_mapping: TableMapping, view: str
) -> str:
    """The select that turns the export view into the contract table."""
    columns = output_columns(table_mapping)
    selects = ",\n    ".join(
        f"{column_sql(mapping, entry, column, table_mapping.mapped(column.name))} "
        f"as {quote_identifier(column.name)}"
        for column in columns
    )
    where = f"\nwhere {table_mapping.where}" if table_mapping.where else ""
    select = f"select\n    {selects}\nfrom {view}{where}"
    if not table_mapping.one_row_per_key:
        return select
    return f"select * from ({select}) as mapped\nqualify {_newest_per_key(table_mapping.table)} = 1"


def _newest_per_key(table: Table) -> str:
    keys = ", ".join(map(quote_identifier, table.key))
    newest = "updated_at desc nulls last, " if table.versioned else ""
    # Every column breaks ties, so the row kept does not depend on read order.
    ties = ", ".join(quote_identifier(name) for name in table.column_names)
    return f"row_number() over (partition by {keys} order by {newest}{ties})"


def output_columns(table_mapping: TableMapping) -> tuple[Column, ...]:
    """The contract columns written: all of the table's, and ``is_deleted`` if mapped."""
    columns = contract_columns(table_mapping.table)
    return tuple(
        column
        for column in columns
        if column.name != "is_deleted" or table_mapping.mapped("is_deleted")
    )
