"""Rendering frames to contract tables and writing monthly extract files."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.demo.frames import Frame, codes, ids, to_table
from orchestration.demo.workdays import DAY_US, add_months
from orchestration.raw.contract import Kind, Table

logger = logging.getLogger(__name__)

ID_PREFIXES = {
    "team_id": "T",
    "head_manager_id": "MGR",
    "manager_id": "MGR",
    "owner_manager_id": "MGR",
    "client_id": "CL",
    "lead_id": "L",
    "deal_id": "D",
    "change_id": "SC",
    "activity_id": "A",
    "proposal_id": "PR",
    "task_id": "TSK",
    "survey_id": "S",
    "contract_id": "CT",
    "invoice_id": "INV",
    "line_id": "IL",
    "payment_id": "PAY",
    "expense_id": "EXP",
}
# Tables without updated_at go to the month of their event.
EVENT_COLUMNS = {
    "deal_stage_changes": "changed_at",
    "surveys": "responded_at",
    "payments": "paid_at",
    "invoice_lines": "issued_at",
    "sales_plans": "plan_month",
    "sales_expenses": "expense_month",
    "fx_rates": "rate_date",
}
Custom = Callable[[np.ndarray], pa.Array]


def product_ids(numbers: np.ndarray) -> pa.Array:
    return codes([f"P-{number:03d}" for number in range(int(numbers.max()) + 1)], numbers)


def render(
    table: Table,
    frame: Frame,
    chunk: int,
    vocabularies: Mapping[str, Sequence[str]],
    custom: Mapping[str, Custom],
) -> pa.Table:
    columns: dict[str, np.ndarray | pa.Array] = {}
    for column in table.columns:
        values = frame[column.name]
        if column.kind is not Kind.STR:
            columns[column.name] = values
        elif column.name in custom:
            columns[column.name] = custom[column.name](values)
        elif column.accepted:
            columns[column.name] = codes(column.accepted, values)
        elif column.name in vocabularies:
            columns[column.name] = codes(vocabularies[column.name], values)
        elif column.name == "product_id":
            columns[column.name] = product_ids(values)
        else:
            columns[column.name] = ids(ID_PREFIXES[column.name], chunk, values)
    return to_table(table, columns, frame.get("is_deleted"))


def split_month(table: Table, frame: Frame, start: date) -> np.ndarray:
    """Month index (from the period start) that decides a row's extract file.

    Rows dated before the period are live records of the first full extract, so they go
    to the first month's file.
    """
    column = "updated_at" if table.versioned else EVENT_COLUMNS[table.name]
    values = frame[column]
    kind = table.column(column).kind if column in table.column_names else Kind.TS
    micro = values * DAY_US if kind is Kind.DATE else values
    months = micro.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
    return np.maximum(months - ((start.year - 1970) * 12 + start.month - 1), 0)


def row_order(table: Table, frame: Frame, month: np.ndarray) -> np.ndarray:
    keys = [frame[name] for name in table.key]
    if table.versioned:
        keys.append(frame["updated_at"])
    return np.lexsort((*reversed(keys), month))


def write_monthly(
    out: Path,
    table: Table,
    data: pa.Table,
    month: np.ndarray,
    start: date,
    *,
    part: int | None,
    file_format: str,
) -> int:
    """One file per month of rows; ``month`` must be sorted ascending."""
    folder = out / table.source / table.name
    folder.mkdir(parents=True, exist_ok=True)
    bounds = np.flatnonzero(np.diff(month)) + 1
    starts = np.concatenate([[0], bounds]) if month.size else np.array([], np.int64)
    stops = np.concatenate([bounds, [month.size]]) if month.size else np.array([], np.int64)
    suffix = "" if part is None else f"_part{part:03d}"
    for low, high in zip(starts, stops, strict=True):
        label = add_months(start, int(month[low])).strftime("%Y-%m")
        write_file(
            folder / f"{table.name}_{label}{suffix}", data.slice(low, high - low), file_format
        )
    return data.num_rows


def write_file(stem: Path, data: pa.Table, file_format: str) -> Path:
    stem.parent.mkdir(parents=True, exist_ok=True)
    if file_format == "csv":
        path = stem.with_suffix(".csv")
        pacsv.write_csv(data, path)
    else:
        path = stem.with_suffix(".parquet")
        pq.write_table(data, path, compression="zstd", compression_level=3)
    return path


def clear_previous(out: Path, table: Table) -> None:
    """Old extracts from an earlier run would otherwise be loaded as if they were new."""
    folder = out / table.source / table.name
    if not folder.is_dir():
        return
    stale = sorted(
        path
        for path in folder.iterdir()
        if path.name.startswith(f"{table.name}") and path.suffix in (".parquet", ".csv")
    )
    for path in stale:
        path.unlink()
    if stale:
        logger.info("removed %d old files from %s", len(stale), folder)
