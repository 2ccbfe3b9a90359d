"""Ingestion as Dagster assets: one asset per raw table, plus the ledger and rejects.

The assets wrap :func:`orchestration.raw.ingest.ingest`, so a run loads every new
landing file exactly once, whatever selected it; each raw table's materialisation
says what this run loaded into it and what it refused or rejected.
"""

from collections.abc import Iterator

import dagster as dg
import duckdb

from orchestration.pipeline.resources import WAREHOUSE_POOL, WarehouseBusyRetry
from orchestration.raw.contract import TABLES, Table, with_references
from orchestration.raw.ingest import FileResult, FileStatus, IngestReport, ingest
from orchestration.raw.warehouse import LEDGER, REJECTS, connect, raw_table_name
from orchestration.settings import Settings

RAW_GROUP = "raw"
LEDGER_KEY = dg.AssetKey(["raw", "ingest_ledger"])
REJECTS_KEY = dg.AssetKey(["raw", "rejects"])
_LISTED_FILES = 20
"""Files named in a materialisation's metadata; the ledger has them all."""


def raw_asset_key(table: Table) -> dg.AssetKey:
    """``raw/crm__deals``: the warehouse relation, as dbt's sources name it too."""
    return dg.AssetKey(["raw", table.raw_relation])


TABLES_BY_KEY: dict[dg.AssetKey, Table] = {raw_asset_key(table): table for table in TABLES}


def _raw_table_spec(table: Table) -> dg.AssetSpec:
    return dg.AssetSpec(
        raw_asset_key(table),
        group_name=RAW_GROUP,
        kinds={"duckdb"},
        description=(
            f"Rows of the landing folder `{table.qualified}/` as loaded, one row per received "
            f"version, with the file each came from. Key: {', '.join(table.key)}."
        ),
        metadata={"landing_folder": table.qualified, "relation": raw_table_name(table)},
    )


_BOOKKEEPING_SPECS = (
    dg.AssetSpec(
        LEDGER_KEY,
        group_name=RAW_GROUP,
        kinds={"duckdb"},
        description="One row per landing file version seen: loaded or refused, with counts.",
    ),
    dg.AssetSpec(
        REJECTS_KEY,
        group_name=RAW_GROUP,
        kinds={"duckdb"},
        description="Rows that broke the raw contract, with the file, row number and reason.",
    ),
)


def _table_metadata(
    connection: duckdb.DuckDBPyConnection, table: Table, results: list[FileResult]
) -> dict[str, object]:
    loaded = [result for result in results if result.status is FileStatus.LOADED]
    refused = [result for result in results if result.status is FileStatus.REFUSED]
    total_rows = connection.execute(f"select count(*) from {raw_table_name(table)}").fetchall()
    metadata: dict[str, object] = {
        "files_loaded": len(loaded),
        "files_already_loaded": sum(r.status is FileStatus.SKIPPED for r in results),
        "files_refused": len(refused),
        "rows_loaded": sum(r.rows_loaded for r in results),
        "rows_rejected": sum(r.rows_rejected for r in results),
        "dagster/row_count": total_rows[0][0],
    }
    if loaded:
        metadata["loaded_files"] = dg.MetadataValue.md(
            "\n".join(
                f"- `{r.relative_path}`: {r.rows_loaded} loaded, {r.rows_rejected} rejected"
                for r in loaded[:_LISTED_FILES]
            )
        )
    if refused:
        metadata["refused_files"] = dg.MetadataValue.md(
            "\n".join(f"- `{r.relative_path}`: {r.error}" for r in refused[:_LISTED_FILES])
        )
    return metadata


def _bookkeeping_metadata(
    connection: duckdb.DuckDBPyConnection, report: IngestReport
) -> dict[dg.AssetKey, dict[str, object]]:
    ledger_rows, rejects_rows = connection.execute(
        f"select (select count(*) from {LEDGER}), (select count(*) from {REJECTS})"
    ).fetchall()[0]
    return {
        LEDGER_KEY: {
            "files_loaded": report.count(FileStatus.LOADED),
            "files_refused": report.count(FileStatus.REFUSED),
            "files_changed_mid_run": report.count(FileStatus.CHANGED),
            "dagster/row_count": ledger_rows,
        },
        REJECTS_KEY: {"rows_rejected": report.rows_rejected, "dagster/row_count": rejects_rows},
    }


def _data_version(connection: duckdb.DuckDBPyConnection, table: Table) -> dg.DataVersion:
    """The newest file in the table: unchanged when a run brought nothing new, so the
    UI can tell a real change from a run that merely looked."""
    newest = connection.execute(
        f"select coalesce(max(_file_id), 0) from {raw_table_name(table)}"
    ).fetchall()[0][0]
    return dg.DataVersion(str(newest))


@dg.multi_asset(
    name="ingest_landing_files",
    specs=[*(_raw_table_spec(table) for table in TABLES), *_BOOKKEEPING_SPECS],
    can_subset=True,
    pool=WAREHOUSE_POOL,
)
def ingest_landing_files(
    context: dg.AssetExecutionContext,
) -> Iterator[dg.MaterializeResult]:
    """Load the new landing files of the selected raw tables (and of the tables they
    are checked against) into the warehouse, exactly once."""
    settings = Settings()
    selected = tuple(
        table for table in TABLES if raw_asset_key(table) in context.selected_asset_keys
    )
    with WarehouseBusyRetry(context.log):
        report = ingest(settings, with_references(selected) if selected else TABLES)
        by_table: dict[str, list[FileResult]] = {}
        for result in report.files:
            by_table.setdefault(result.table, []).append(result)
        with connect(settings.warehouse_path) as connection:
            for table in selected:
                yield dg.MaterializeResult(
                    asset_key=raw_asset_key(table),
                    metadata=_table_metadata(connection, table, by_table.get(table.qualified, [])),
                    data_version=_data_version(connection, table),
                )
            for key, metadata in _bookkeeping_metadata(connection, report).items():
                if key in context.selected_asset_keys:
                    yield dg.MaterializeResult(asset_key=key, metadata=metadata)
    if report.count(FileStatus.REFUSED) or report.rows_rejected:
        context.log.warning(
            "%d files refused, %d rows rejected: see raw.ingest_ledger and raw.rejects",
            report.count(FileStatus.REFUSED),
            report.rows_rejected,
        )
