"""Row-level contract checks, generated as one set-based DuckDB query per file.

Every check yields a reason ``"<code>: <what is wrong>"`` or NULL; a row's reasons are
joined with ``"; "``. A row with no reason loads, a row with any reason is rejected
with all of them, so a person fixes the row once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from orchestration.raw.contract import Column, Kind, Ref, Table


class Violation(StrEnum):
    """The code that starts every reason a row is rejected or a file refused."""

    MISSING_VALUE = "missing_value"
    UNPARSEABLE = "unparseable"
    BAD_ENUM = "bad_enum"
    UNKNOWN_REFERENCE = "unknown_reference"
    NO_FX_RATE = "no_fx_rate"
    NEGATIVE_AMOUNT = "negative_amount"
    OUT_OF_RANGE = "out_of_range"
    DUPLICATE_KEY = "duplicate_key"
    UNREADABLE = "unreadable"
    """File-level: the file cannot be read at all."""
    MISSING_COLUMN = "missing_column"
    """File-level: a required column is absent."""


KNOWN_MANAGERS_SQL = "select manager_id from raw.crm__managers"

_PRECISION_LOSS = {
    Kind.INT: (0, "is not a whole number"),
    Kind.MONEY: (2, "has more than 2 decimal places"),
    Kind.QUANTITY: (4, "has more than 4 decimal places"),
    Kind.RATE: (8, "has more than 8 decimal places"),
}
"""The decimal places of each numeric kind, and how a number that fits only after
rounding is described: it is rejected, since rounding it silently would change an
amount or a score."""

_PARSE_TYPE_NAMES = {
    Kind.TS: "timestamp",
    Kind.DATE: "date",
    Kind.BOOL: "boolean",
    Kind.INT: "integer",
    Kind.MONEY: "decimal number",
    Kind.QUANTITY: "decimal number",
    Kind.RATE: "decimal number",
}


@dataclass(frozen=True)
class ReferenceCodes:
    """Codes that live in the seeds rather than in the contract."""

    channels: tuple[str, ...]
    stages: tuple[str, ...]
    lost_reasons: tuple[str, ...]
    reporting_currency: str


def quote_identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _quoted(expression: str) -> str:
    """SQL that renders a value in quotes for a message, NULL as NULL."""
    return f"coalesce('''' || cast({expression} as varchar) || '''', 'NULL')"


def _in_list(values: Iterable[str]) -> str:
    return ", ".join(quote_literal(value) for value in values)


_FLOATING_TYPES = frozenset({"FLOAT", "DOUBLE", "REAL"})


def _source(name: str, source_type: str) -> tuple[str, str]:
    """A file's column as SQL, and the type to parse it from.

    Floating-point values are read through their shortest text form: the binary error
    of 1234567.89 would otherwise look like a fraction of a kopeck, and a NaN would
    pass for a number."""
    column_sql = quote_identifier(name)
    if source_type in _FLOATING_TYPES:
        return f"cast({column_sql} as varchar)", "VARCHAR"
    return column_sql, source_type


def _typed_expression(name: str, kind: Kind, source_type: str) -> str:
    """A file's column cast to its warehouse type; NULL where it cannot be parsed."""
    column_sql, source_type = _source(name, source_type)
    if kind is Kind.STR:
        return f"cast({column_sql} as varchar)"
    if kind is Kind.TS and source_type == "VARCHAR":
        # Parsing through TIMESTAMPTZ honours an explicit offset; the session zone is UTC,
        # so a value without one is taken as UTC, as the contract says.
        return f"try_cast(try_cast(nullif(trim({column_sql}), '') as timestamptz) as timestamp)"
    if source_type == "VARCHAR":
        return f"try_cast(nullif(trim({column_sql}), '') as {kind.value})"
    return f"try_cast({column_sql} as {kind.value})"


def _is_blank(column_sql: str, source_type: str) -> str:
    if source_type == "VARCHAR":
        return f"nullif(trim({column_sql}), '') is null"
    return f"{column_sql} is null"


def _reason_when(condition: str, violation: Violation, template: str, *values: str) -> str:
    """SQL giving ``"<code>: <message>"`` when ``condition`` holds, else NULL.

    ``template`` is a DuckDB ``format`` string: each ``{}`` takes one of ``values``."""
    message = quote_literal(f"{violation}: {template}")
    return f"case when {condition} then format({', '.join([message, *values])}) end"


def _parse_reasons(column: Column, source_type: str) -> list[str]:
    """Reasons that need the source value: missing values and unparseable ones."""
    source_sql, parse_type = _source(column.name, source_type)
    blank = _is_blank(source_sql, parse_type)
    typed = _typed_expression(column.name, column.kind, source_type)
    reasons = []
    if not column.nullable:
        reasons.append(
            _reason_when(blank, Violation.MISSING_VALUE, f"{column.name} is empty but required")
        )
    if column.kind is not Kind.STR:
        reasons.append(
            _reason_when(
                f"not ({blank}) and {typed} is null",
                Violation.UNPARSEABLE,
                f"{column.name} {{}} is not a valid {_PARSE_TYPE_NAMES[column.kind]}",
                _quoted(source_sql),
            )
        )
    if column.kind in _PRECISION_LOSS and source_type != column.kind.value:
        reasons.append(
            _reason_when(
                _rounded_away(column, source_type, typed),
                Violation.UNPARSEABLE,
                f"{column.name} {{}} {_PRECISION_LOSS[column.kind][1]}",
                _quoted(source_sql),
            )
        )
    return reasons


def _rounded_away(column: Column, source_type: str, typed: str) -> str:
    """SQL that is true when the value fits its type only after rounding.

    A decimal or a text is exact, so any difference counts. A floating-point value
    carries binary noise (0.1 + 0.2 is 0.30000000000000004), so only a difference
    beyond that noise counts."""
    column_sql = quote_identifier(column.name)
    if source_type in _FLOATING_TYPES:
        scale = _PRECISION_LOSS[column.kind][0]
        return (
            f"isfinite({column_sql}) and abs({column_sql} - round({column_sql}, {scale})) "
            f"> 1e-9 * greatest(1, abs({column_sql}))"
        )
    exact = f"nullif(trim({column_sql}), '')" if source_type == "VARCHAR" else column_sql
    return f"try_cast({exact} as decimal(38, 18)) <> {typed}"


def _code_check(column: Column, codes: ReferenceCodes) -> str | None:
    column_sql = quote_identifier(column.name)
    if column.accepted:
        allowed, what = column.accepted, "one of " + ", ".join(column.accepted)
    elif column.ref is Ref.CHANNEL:
        allowed, what = codes.channels, "a sales channel of seeds/sales_channels.csv"
    elif column.ref is Ref.STAGE:
        allowed, what = codes.stages, "a deal stage of seeds/deal_stages.csv"
    elif column.ref is Ref.LOST_REASON:
        allowed, what = codes.lost_reasons, "a lost reason of seeds/lost_reasons.csv"
    else:
        return None
    return _reason_when(
        f"lower(trim({column_sql})) not in ({_in_list(allowed)})",
        Violation.BAD_ENUM,
        f"{column.name} {{}} is not {what}",
        _quoted(column_sql),
    )


def _rate_check(currency_sql: str, rated_on: str | None, reporting_currency: str) -> str:
    """A currency other than the reporting one needs a rate on or before the date its
    amounts convert at (any rate, for a table without such a date): the warehouse fills
    a missing day from the latest earlier rate, and there is none before the first."""
    currency = f"upper(trim(typed_rows.{currency_sql}))"
    first_rate = (
        "(select min(rates.rate_date) from raw.finance__fx_rates as rates "
        f"where upper(trim(rates.currency)) = {currency})"
    )
    rate_date = f"cast(typed_rows.{quote_identifier(rated_on)} as date)" if rated_on else "null"
    return _reason_when(
        f"{currency} <> {quote_literal(reporting_currency)} "
        f"and ({first_rate} is null or {first_rate} > {rate_date})",
        Violation.NO_FX_RATE,
        "currency {} has no rate{} in finance/fx_rates",
        _quoted(f"typed_rows.{currency_sql}"),
        f"case when {first_rate} is null then '' else ' on or before ' || {rate_date} end",
    )


def _value_checks(column: Column, codes: ReferenceCodes, rated_on: str | None) -> list[str]:
    """Reasons about a parsed, non-missing value."""
    column_sql = quote_identifier(column.name)
    value = _quoted(column_sql)
    checks: list[str | None] = [_code_check(column, codes)]
    if column.ref is Ref.MANAGER:
        checks.append(
            _reason_when(
                f"{column_sql} not in ({KNOWN_MANAGERS_SQL})",
                Violation.UNKNOWN_REFERENCE,
                f"{column.name} {{}} is not a manager of crm/managers",
                value,
            )
        )
    if column.ref is Ref.CURRENCY:
        checks.append(_rate_check(column_sql, rated_on, codes.reporting_currency))
    if column.kind is Kind.RATE:
        checks.append(
            _reason_when(
                f"{column_sql} <= 0",
                Violation.OUT_OF_RANGE,
                f"{column.name} {{}} must be positive",
                value,
            )
        )
    elif column.non_negative:
        checks.append(
            _reason_when(
                f"{column_sql} < 0",
                Violation.NEGATIVE_AMOUNT,
                f"{column.name} {{}} is negative",
                value,
            )
        )
    if column.value_range:
        low, high = column.value_range
        checks.append(
            _reason_when(
                f"{column_sql} not between {low} and {high}",
                Violation.OUT_OF_RANGE,
                f"{column.name} {{}} is outside {low}..{high}",
                value,
            )
        )
    return [check for check in checks if check]


def _duplicate_key_columns(table: Table) -> list[str]:
    # Two versions of a record may share a file when they differ in updated_at.
    return [*table.key, "updated_at"] if table.versioned else list(table.key)


def _repeated_keys_sql(table: Table) -> str:
    """Good rows whose key already appeared in an earlier good row of their file, with
    that earlier row: the first good version loads, the repeats are rejected.

    A grouping finds the (rare) repeated keys first, so the common case of a file
    without duplicates costs one hash aggregate rather than a sort of the whole file."""
    columns = ["_file_id", *(quote_identifier(name) for name in _duplicate_key_columns(table))]
    matches = " and ".join(f"rows.{c} is not distinct from repeated.{c}" for c in columns)
    return f"""
    select rows._file_id, rows._row_number, repeated.first_row_number
    from reasoned_rows as rows
    inner join (
        select {", ".join(columns)}, min(_row_number) as first_row_number
        from reasoned_rows
        where _other_reason is null
        group by all
        having count(*) > 1
    ) as repeated on {matches}
    where rows._other_reason is null and rows._row_number > repeated.first_row_number"""


def _duplicate_reason(table: Table) -> str:
    columns = _duplicate_key_columns(table)
    return _reason_when(
        "repeated_keys.first_row_number is not null",
        Violation.DUPLICATE_KEY,
        " and ".join(f"{name}={{}}" for name in columns)
        + " already appears at row {} of this file",
        *(_quoted(quote_identifier(name)) for name in columns),
        "repeated_keys.first_row_number",
    )


def _joined(reasons: list[str]) -> str:
    return "nullif(concat_ws('; ', " + ", ".join(reasons) + "), '')"


def checked_rows_sql(
    table: Table,
    source_rows_sql: str,
    source_types: Mapping[str, str],
    codes: ReferenceCodes,
) -> str:
    """A query over ``source_rows_sql`` giving, for each of its rows, the contract
    columns cast to their warehouse types, ``is_deleted`` for CRM tables, the lineage
    columns ``_file_id``, ``_source_file`` and ``_row_number`` (which the source rows
    carry beside the files' own columns), and ``_reason`` (NULL for a good row).

    The source rows may come from several files of one table: keys repeat only within
    a file, since a later file may carry a newer version of a record."""
    typed = [
        f"{_typed_expression(c.name, c.kind, source_types[c.name])} as {quote_identifier(c.name)}"
        for c in table.columns
    ]
    parse_reasons = [
        reason for c in table.columns for reason in _parse_reasons(c, source_types[c.name])
    ]
    if table.deletable:
        deleted = Column("is_deleted", Kind.BOOL, nullable=True)
        if "is_deleted" in source_types:
            typed_deleted = _typed_expression("is_deleted", Kind.BOOL, source_types["is_deleted"])
            typed.append(f"coalesce({typed_deleted}, false) as is_deleted")
            parse_reasons += _parse_reasons(deleted, source_types["is_deleted"])
        else:
            typed.append("false as is_deleted")
    value_reasons = [
        reason for c in table.columns for reason in _value_checks(c, codes, table.rated_on)
    ]
    typed_sql = ",\n        ".join(typed)
    return f"""
with source_rows as ({source_rows_sql}),
typed_rows as (
    select
        _file_id,
        _source_file,
        _row_number,
        {typed_sql},
        {_joined(parse_reasons)} as _parse_reason
    from source_rows
),
reasoned_rows as (
    select
        * exclude (_parse_reason),
        {_joined(["_parse_reason", *value_reasons])} as _other_reason
    from typed_rows
),
repeated_keys as ({_repeated_keys_sql(table)}
)
select
    reasoned_rows.* exclude (_other_reason),
    coalesce(_other_reason, {_duplicate_reason(table)}) as _reason
from reasoned_rows
left join repeated_keys
    on reasoned_rows._file_id = repeated_keys._file_id
    and reasoned_rows._row_number = repeated_keys._row_number
"""
