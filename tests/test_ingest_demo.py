"""Ingestion of the demo company's extracts: exactly once, changed files, bad files."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.raw.checks import Violation
from orchestration.raw.contract import TABLES
from orchestration.raw.ingest import FileStatus, IngestReport, ingest
from orchestration.settings import Settings

SMALL = {"scale": 0.1, "seed": 7, "start": date(2024, 1, 1), "months": 3}


def _copy_landing(source: Path, tmp_path: Path) -> Settings:
    landing = tmp_path / "landing"
    shutil.copytree(source, landing)
    return Settings(landing_dir=landing, warehouse_path=tmp_path / "warehouse.duckdb")


def _table_digests(warehouse: Path) -> dict[str, tuple[int, int]]:
    """Row count and an order-independent hash of the contract columns of every raw table."""
    digests = {}
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        for table in TABLES:
            columns = ", ".join(f'"{name}"' for name in table.column_names)
            row = connection.execute(
                f"select count(*), coalesce(sum(hash({columns})), 0) from raw.{table.raw_relation}"
            ).fetchone()
            assert row is not None
            digests[table.qualified] = (int(row[0]), int(row[1]))
    return digests


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        return connection.execute(sql).fetchall()


@pytest.fixture(scope="session")
def demo_landing(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("demo") / "landing"
    rows = generate(GeneratorConfig(out=out, **SMALL))
    return out, rows


@pytest.fixture(scope="session")
def loaded_demo(
    demo_landing: tuple[Path, dict[str, int]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Settings, IngestReport]:
    landing, _ = demo_landing
    settings = _copy_landing(landing, tmp_path_factory.mktemp("loaded"))
    return settings, ingest(settings)


def test_clean_demo_data_loads_whole(
    demo_landing: tuple[Path, dict[str, int]], loaded_demo: tuple[Settings, IngestReport]
) -> None:
    _, generated = demo_landing
    settings, report = loaded_demo

    assert report.count(FileStatus.REFUSED) == 0
    assert report.rows_rejected == 0
    loaded = {name: count for name, (count, _) in _table_digests(settings.warehouse_path).items()}
    assert loaded == generated
    assert all(count > 0 for count in loaded.values())


def test_every_file_accounts_for_every_row(loaded_demo: tuple[Settings, IngestReport]) -> None:
    settings, _ = loaded_demo

    unbalanced = _query(
        settings.warehouse_path,
        "select path from raw.ingest_ledger where rows_read <> rows_loaded + rows_rejected",
    )
    per_file = _query(
        settings.warehouse_path,
        """
        select ledger.path, ledger.rows_loaded, count(deals.deal_id)
        from raw.ingest_ledger as ledger
        left join raw.crm__deals as deals on deals._file_id = ledger.file_id
        where ledger.table_name = 'deals'
        group by all
        having ledger.rows_loaded <> count(deals.deal_id)
        """,
    )
    assert unbalanced == []
    assert per_file == []


def test_ingesting_again_changes_nothing(
    demo_landing: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    settings = _copy_landing(demo_landing[0], tmp_path)
    first = ingest(settings)
    before = _table_digests(settings.warehouse_path)

    second = ingest(settings)

    assert {result.status for result in second.files} == {FileStatus.SKIPPED}
    assert len(second.files) == len(first.files)
    assert _table_digests(settings.warehouse_path) == before
    assert _query(settings.warehouse_path, "select count(*) from raw.ingest_ledger") == [
        (len(first.files),)
    ]


def test_a_changed_file_under_the_same_name_loads_as_a_new_version(
    demo_landing: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    settings = _copy_landing(demo_landing[0], tmp_path)
    ingest(settings)
    path = sorted((settings.landing_dir / "crm" / "deals").glob("*.parquet"))[-1]
    extract = pq.read_table(path)
    pq.write_table(extract.slice(0, extract.num_rows - 1), path)

    report = ingest(settings)

    loaded = [result for result in report.files if result.status is FileStatus.LOADED]
    assert [result.relative_path for result in loaded] == [
        path.relative_to(settings.landing_dir).as_posix()
    ]
    assert loaded[0].rows_loaded == extract.num_rows - 1
    versions = _query(
        settings.warehouse_path,
        "select count(distinct content_hash), count(*) from raw.ingest_ledger "
        f"where path = '{loaded[0].relative_path}'",
    )
    assert versions == [(2, 2)]


def test_a_corrupt_file_among_good_ones_is_refused_and_nothing_else_changes(
    demo_landing: tuple[Path, dict[str, int]],
    loaded_demo: tuple[Settings, IngestReport],
    tmp_path: Path,
) -> None:
    settings = _copy_landing(demo_landing[0], tmp_path)
    payments = sorted((settings.landing_dir / "finance" / "payments").glob("*.parquet"))[0]
    content = payments.read_bytes()
    (payments.parent / "payments_truncated.parquet").write_bytes(content[: len(content) // 2])
    deals = sorted((settings.landing_dir / "crm" / "deals").glob("*.parquet"))[0]
    pq.write_table(
        pq.read_table(deals).drop_columns(["currency"]), deals.parent / "deals_x.parquet"
    )

    report = ingest(settings)

    refused = {r.relative_path: r.error for r in report.files if r.status is FileStatus.REFUSED}
    assert set(refused) == {
        "finance/payments/payments_truncated.parquet",
        "crm/deals/deals_x.parquet",
    }
    assert refused["finance/payments/payments_truncated.parquet"].startswith(
        "unreadable: finance/payments/payments_truncated.parquet cannot be read as PARQUET"
    )
    assert refused["crm/deals/deals_x.parquet"] == (
        "missing_column: crm/deals/deals_x.parquet lacks required column currency of crm/deals"
    )
    assert _table_digests(settings.warehouse_path) == _table_digests(loaded_demo[0].warehouse_path)
    assert report.rows_rejected == 0


def test_csv_extracts_load_the_same_rows_as_parquet(
    loaded_demo: tuple[Settings, IngestReport], tmp_path: Path
) -> None:
    landing = tmp_path / "landing"
    generate(GeneratorConfig(out=landing, file_format="csv", **SMALL))
    settings = Settings(landing_dir=landing, warehouse_path=tmp_path / "warehouse.duckdb")

    report = ingest(settings)

    assert report.rows_rejected == 0
    assert report.count(FileStatus.REFUSED) == 0
    assert _table_digests(settings.warehouse_path) == _table_digests(loaded_demo[0].warehouse_path)


def test_every_injected_violation_is_rejected_or_refused_with_its_reason(
    tmp_path: Path,
) -> None:
    landing = tmp_path / "landing"
    generate(GeneratorConfig(out=landing, messy=True, **SMALL))
    settings = Settings(landing_dir=landing, warehouse_path=tmp_path / "warehouse.duckdb")
    manifest = json.loads((landing / "_messy_manifest.json").read_text(encoding="utf-8"))

    report = ingest(settings)

    refused = {
        r.relative_path: r.error or "" for r in report.files if r.status is FileStatus.REFUSED
    }
    rejects = {
        (file, row): reason
        for file, row, reason in _query(
            settings.warehouse_path, "select source_file, row_number, reason from raw.rejects"
        )
    }
    assert {entry["violation"] for entry in manifest} == set(Violation) - {Violation.OUT_OF_RANGE}
    for entry in manifest:
        if entry["row_number"] is None:
            error = refused.get(entry["file"], "")
            assert error.startswith(f"{entry['violation']}: {entry['file']}"), entry
            if entry["column"]:
                assert entry["column"] in error, entry
        else:
            reason = rejects.get((entry["file"], entry["row_number"]), "")
            assert reason.startswith(f"{entry['violation']}: "), (entry, reason)
            if entry["column"]:
                assert entry["column"] in reason, (entry, reason)
    injected_rows = {(e["file"], e["row_number"]) for e in manifest if e["row_number"]}
    assert set(rejects) == injected_rows
    assert set(refused) == {e["file"] for e in manifest if e["row_number"] is None}


def test_ingest_reads_only_the_tables_asked_for(
    demo_landing: tuple[Path, dict[str, int]], tmp_path: Path
) -> None:
    settings = _copy_landing(demo_landing[0], tmp_path)
    only = tuple(t for t in TABLES if t.qualified in {"finance/fx_rates", "crm/managers"})

    report = ingest(settings, only)

    assert {result.table for result in report.files} == {"finance/fx_rates", "crm/managers"}
