"""Files that break the contract on purpose, listed in ``_messy_manifest.json``.

Every row-level violation sits in a small CSV of otherwise valid rows (copies of real
rows with new keys), one violation per row, so the manifest is exact.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from orchestration.demo.config import GeneratorConfig
from orchestration.raw.checks import Violation
from orchestration.raw.contract import table

logger = logging.getLogger(__name__)

MANIFEST = "_messy_manifest.json"
UNKNOWN_MANAGER = "MGR-UNKNOWN-1"


@dataclass(frozen=True)
class Breach:
    violation: Violation
    column: str | None
    value: str | None  # None writes an empty field (null); ignored for duplicate_key


_BREACHES: dict[str, tuple[Breach, ...]] = {
    "crm/deals": (
        Breach(Violation.DUPLICATE_KEY, "deal_id", None),
        Breach(Violation.UNKNOWN_REFERENCE, "manager_id", UNKNOWN_MANAGER),
        Breach(Violation.NEGATIVE_AMOUNT, "amount", "-15000.00"),
        Breach(Violation.BAD_ENUM, "status", "pending"),
        Breach(Violation.BAD_ENUM, "channel_code", "tv"),
        Breach(Violation.UNPARSEABLE, "created_at", "31.02.2024 25:61"),
        Breach(Violation.MISSING_VALUE, "deal_id", None),
        Breach(Violation.NO_FX_RATE, "currency", "GBP"),
    ),
    "crm/leads": (
        Breach(Violation.DUPLICATE_KEY, "lead_id", None),
        Breach(Violation.BAD_ENUM, "status", "hot"),
        Breach(Violation.UNPARSEABLE, "created_at", "yesterday"),
        Breach(Violation.MISSING_VALUE, "created_at", None),
        Breach(Violation.UNKNOWN_REFERENCE, "manager_id", UNKNOWN_MANAGER),
    ),
    "crm/activities": (
        Breach(Violation.BAD_ENUM, "type", "fax"),
        Breach(Violation.UNKNOWN_REFERENCE, "manager_id", UNKNOWN_MANAGER),
        Breach(Violation.UNPARSEABLE, "created_at", "2024-13-45T99:00:00"),
        Breach(Violation.MISSING_VALUE, "activity_id", None),
        Breach(Violation.DUPLICATE_KEY, "activity_id", None),
    ),
    "finance/invoices": (
        Breach(Violation.NEGATIVE_AMOUNT, "amount", "-990.00"),
        Breach(Violation.BAD_ENUM, "status", "void"),
        Breach(Violation.NO_FX_RATE, "currency", "GBP"),
        Breach(Violation.MISSING_VALUE, "deal_id", None),
        Breach(Violation.UNPARSEABLE, "issued_at", "yesterday"),
    ),
    "finance/payments": (
        Breach(Violation.NO_FX_RATE, "currency", "GBP"),
        Breach(Violation.UNPARSEABLE, "paid_at", "31.02.2024 25:61"),
        Breach(Violation.MISSING_VALUE, "payment_id", None),
        Breach(Violation.DUPLICATE_KEY, "payment_id", None),
    ),
}
_ENTRY_TAIL = ("violation", "row_number", "column")
_UNREADABLE = "crm/deals"
_MISSING_COLUMN = ("finance/invoices", "amount")


def _sample(out: Path, qualified: str, rows: int) -> pa.Table:
    """Real rows of the table, read from its first clean extract."""
    folder = out / qualified
    first = sorted(path for path in folder.iterdir() if path.suffix in (".parquet", ".csv"))[0]
    data = pq.read_table(first) if first.suffix == ".parquet" else pacsv.read_csv(first)
    return data.slice(0, rows)


def _as_text(data: pa.Table) -> list[dict[str, str | None]]:
    text = pa.table({name: data[name].cast(pa.string()) for name in data.column_names})
    return text.to_pylist()


def _messy_rows(qualified: str, sample: pa.Table) -> tuple[list[dict[str, str | None]], list[dict]]:
    contract_table = table(qualified)
    key = contract_table.key[0]
    rows = _as_text(sample)
    out_rows: list[dict[str, str | None]] = []
    entries: list[dict] = []
    for number, (row, breach) in enumerate(zip(rows, _BREACHES[qualified], strict=False)):
        row[key] = f"{row[key]}-MESSY-{number + 1:02d}"
        if breach.violation is Violation.DUPLICATE_KEY:
            out_rows.extend([row, dict(row)])
        else:
            row[breach.column] = breach.value
            out_rows.append(row)
        entries.append(
            {
                "table": qualified,
                "violation": breach.violation,
                "row_number": len(out_rows),
                "column": breach.column,
            }
        )
    return out_rows, entries


def _write_rows(path: Path, rows: list[dict[str, str | None]], names: list[str]) -> None:
    columns = {name: pa.array([row[name] for row in rows], pa.string()) for name in names}
    pacsv.write_csv(pa.table(columns), path)


def _file_entry(
    qualified: str, path: Path, out: Path, violation: Violation, column: str | None
) -> dict:
    return {
        "table": qualified,
        "file": path.relative_to(out).as_posix(),
        "violation": violation,
        "row_number": None,
        "column": column,
    }


def _unreadable(out: Path) -> dict:
    data = _sample(out, _UNREADABLE, 200)
    key = table(_UNREADABLE).key[0]
    renamed = pa.array([f"{value}-TRUNC" for value in data[key].to_pylist()], pa.string())
    data = data.set_column(data.column_names.index(key), key, renamed)
    sink = pa.BufferOutputStream()
    pq.write_table(data, sink, compression="zstd")
    whole = sink.getvalue().to_pybytes()
    path = out / _UNREADABLE / "deals_truncated.parquet"
    path.write_bytes(whole[: len(whole) // 2])
    return _file_entry(_UNREADABLE, path, out, Violation.UNREADABLE, None)


def _missing_column(out: Path) -> dict:
    qualified, column = _MISSING_COLUMN
    data = _sample(out, qualified, 20)
    key = table(qualified).key[0]
    renamed = pa.array([f"{value}-NOCOL" for value in data[key].to_pylist()], pa.string())
    data = data.set_column(data.column_names.index(key), key, renamed).drop_columns([column])
    path = out / qualified / f"{table(qualified).name}_missing_{column}.parquet"
    pq.write_table(data, path, compression="zstd")
    return _file_entry(qualified, path, out, Violation.MISSING_COLUMN, column)


def write_messy(config: GeneratorConfig) -> list[dict]:
    """Writes the messy files next to the clean ones and the manifest; returns its entries."""
    out = config.out
    manifest: list[dict] = []
    for qualified, breaches in _BREACHES.items():
        sample = _sample(out, qualified, len(breaches))
        rows, entries = _messy_rows(qualified, sample)
        path = out / qualified / f"{table(qualified).name}_messy.csv"
        _write_rows(path, rows, sample.column_names)
        relative = path.relative_to(out).as_posix()
        manifest.extend(
            {"table": e["table"], "file": relative, **{k: e[k] for k in _ENTRY_TAIL}}
            for e in entries
        )
    manifest.append(_unreadable(out))
    manifest.append(_missing_column(out))
    manifest.sort(key=lambda e: (e["table"], e["file"], e["row_number"] or 0, e["violation"]))
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    logger.info("wrote %d contract violations to %s", len(manifest), out / MANIFEST)
    return manifest
