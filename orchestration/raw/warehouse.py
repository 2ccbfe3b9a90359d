"""The ``raw`` schema of the warehouse: one table per contract table, the file ledger
and the rejects."""

from __future__ import annotations

from pathlib import Path

import duckdb

from orchestration.raw.checks import quote_identifier
from orchestration.raw.contract import TABLES, Table

RAW_SCHEMA = "raw"
LEDGER = f"{RAW_SCHEMA}.ingest_ledger"
REJECTS = f"{RAW_SCHEMA}.rejects"

LINEAGE_COLUMNS = (
    ("_file_id", "BIGINT"),
    ("_source_file", "VARCHAR"),
    ("_row_number", "BIGINT"),
    ("_loaded_at", "TIMESTAMP"),
)
"""Where each raw row came from; ``_file_id`` grows with every loaded file, so it is
the load order that breaks ties between versions with the same ``updated_at``."""

_LEDGER_DDL = f"""
create sequence if not exists {RAW_SCHEMA}.ingest_file_id start 1;
create table if not exists {LEDGER} (
    file_id bigint primary key,
    source varchar not null,
    table_name varchar not null,
    path varchar not null,
    size_bytes bigint not null,
    content_hash varchar not null,
    file_format varchar not null,
    rows_read bigint not null,
    rows_loaded bigint not null,
    rows_rejected bigint not null,
    status varchar not null,
    error varchar,
    loaded_at timestamp not null
);
create table if not exists {REJECTS} (
    source varchar not null,
    table_name varchar not null,
    file_id bigint not null,
    source_file varchar not null,
    row_number bigint not null,
    row_json json not null,
    reason varchar not null,
    rejected_at timestamp not null
);
"""


def raw_table_name(table: Table) -> str:
    return f"{RAW_SCHEMA}.{table.raw_relation}"


def _raw_table_ddl(table: Table) -> str:
    columns = [f"{quote_identifier(column.name)} {column.kind.value}" for column in table.columns]
    if table.deletable:
        columns.append(f"{quote_identifier('is_deleted')} BOOLEAN NOT NULL")
    columns += [
        f"{quote_identifier(name)} {sql_type} NOT NULL" for name, sql_type in LINEAGE_COLUMNS
    ]
    body = ",\n    ".join(columns)
    return f"create table if not exists {raw_table_name(table)} (\n    {body}\n);"


def connect(warehouse_path: Path) -> duckdb.DuckDBPyConnection:
    """A read-write connection with the raw schema in place; timestamps in UTC."""
    warehouse_path.parent.mkdir(parents=True, exist_ok=True)
    connection = duckdb.connect(str(warehouse_path))
    connection.execute("set TimeZone = 'UTC'")
    ensure_raw_schema(connection)
    return connection


def ensure_raw_schema(connection: duckdb.DuckDBPyConnection) -> None:
    statements = [f"create schema if not exists {RAW_SCHEMA};", _LEDGER_DDL]
    statements += [_raw_table_ddl(table) for table in TABLES]
    connection.execute("\n".join(statements))
