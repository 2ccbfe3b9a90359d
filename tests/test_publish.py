"""The serving file: the warehouse's marts copied whole, with their descriptions, into
a file that opens as ``marts``, that DuckDB 1.4 and 1.5 clients read, and that is
swapped in atomically: a failed publication leaves the previous file as it was, and a
reader holding the previous file open keeps reading it undisturbed."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import dagster as dg
import duckdb
import pytest
from duckdb_clients import client_python, read_with

from orchestration.pipeline import publish
from orchestration.pipeline.publish import PublishedFile, publish_marts
from orchestration.settings import Settings
from orchestration.transform import DbtOutcome

SERVING_NAME = "marts.duckdb"
PERSONAL_DATA_COLUMN = re.compile(r"(?:^|_)(?:e_?mail|phone|mobile)(?:_|$)", re.IGNORECASE)
"""Contact columns of clients and managers (``email``, ``phone``), not KPIs such as
``emails_sent``."""

_TABLES = """
    select table_name, comment
    from duckdb_tables()
    where database_name = current_database() and schema_name = ?
    order by table_name
"""
_COLUMNS = """
    select table_name, column_name, data_type, comment
    from duckdb_columns()
    where database_name = current_database() and schema_name = ?
    order by table_name, column_index
"""

SERVING_READER = """
import json
import os
import sys
import time

import duckdb

with duckdb.connect(sys.argv[1], read_only=True) as connection:
    for query in sys.stdin:
        print(json.dumps(connection.execute(query).fetchall()), flush=True)
"""
"""Holds the serving file open read-only and answers each query line on stdin with
its rows as one JSON line, until stdin closes."""

REVENUE_ROWS = "select count(*) from kpi_long where kpi_code = 'revenue'"
REVENUE_VALUES = "select count(value) from kpi_long where kpi_code = 'revenue'"

FULL_DUMP_MAX_ROWS = 10_000
"""Tables up to this size are compared row by row across DuckDB versions; the larger
ones (``kpi_long``, ``fct_activities``) by aggregates, to keep the test quick."""
CLIENT_QUERIES = {
    "catalog": """
        select database_name, schema_name, table_name, comment
        from duckdb_tables() order by all
    """,
    "kpi_long_rows": "select count(*) from marts.kpi_long",
    "monthly_revenue": """
        select period_start, revenue, typeof(revenue)
        from marts.kpi_company_period
        where period_grain = 'month'
        order by period_start
    """,
    "kpi_long_by_code": """
        select kpi_code, count(*), count(value), min(value), max(value),
            sum(round(value, 4)::decimal(38, 4))
        from marts.kpi_long
        group by kpi_code
        order by kpi_code
    """,
    "fct_activities_by_type": """
        select activity_type, count(*), min(activity_id), max(activity_id), sum(duration_sec),
            count(*) filter (where with_decision_maker), min(occurred_at), max(occurred_at)
        from marts.fct_activities
        group by activity_type
        order by activity_type
    """,
}


@pytest.fixture(scope="module")
def warehouse(built: tuple[Settings, DbtOutcome]) -> Path:
    settings, outcome = built
    assert outcome.succeeded, outcome.failures
    return settings.warehouse_path


@pytest.fixture(scope="module")
def published(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> PublishedFile:
    return publish_marts(warehouse, tmp_path_factory.mktemp("serving") / SERVING_NAME)


@pytest.fixture
def previous_serving(published: PublishedFile, tmp_path: Path) -> Path:
    """A serving file already in place, in a folder of its own."""
    serving = tmp_path / "serving" / SERVING_NAME
    serving.parent.mkdir()
    shutil.copyfile(published.path, serving)
    return serving


def _describe(database: Path, schema: str) -> tuple[list[tuple], list[tuple], dict[str, int]]:
    """Tables with their comments, columns with their types and comments, and row
    counts of one schema."""
    with duckdb.connect(str(database), read_only=True) as connection:
        tables = connection.execute(_TABLES, [schema]).fetchall()
        columns = connection.execute(_COLUMNS, [schema]).fetchall()
        row_counts = {
            name: connection.execute(f'select count(*) from {schema}."{name}"').fetchall()[0][0]
            for name, _ in tables
        }
    return tables, columns, row_counts


def _personal_data_columns(database: Path, schema: str) -> list[tuple[str, str]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        columns = connection.execute(_COLUMNS, [schema]).fetchall()
    return [(table, column) for table, column, *_ in columns if PERSONAL_DATA_COLUMN.search(column)]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _other_files(serving: Path) -> list[str]:
    """Whatever sits beside the serving file: temporary files, WALs."""
    return sorted(path.name for path in serving.parent.iterdir() if path != serving)


def _warehouse_copy(warehouse: Path, folder: Path) -> Path:
    copy = folder / "warehouse.duckdb"
    shutil.copyfile(warehouse, copy)
    return copy


def test_published_file_holds_every_mart_with_its_types_rows_and_descriptions(
    warehouse: Path, published: PublishedFile
) -> None:
    warehouse_tables, warehouse_columns, warehouse_rows = _describe(warehouse, "marts")
    served_tables, served_columns, served_rows = _describe(published.path, "main")

    assert len(warehouse_tables) >= 30
    assert served_tables == warehouse_tables
    assert served_columns == warehouse_columns
    assert served_rows == warehouse_rows
    assert published.row_counts == warehouse_rows
    assert published.size_bytes == published.path.stat().st_size
    assert all(comment for _, comment in served_tables)
    assert all(comment for *_, comment in served_columns)
    assert [column for column in served_columns if "HUGEINT" in column[2]] == []
    with duckdb.connect(str(published.path), read_only=True) as connection:
        assert connection.execute(
            "select distinct schema_name from duckdb_tables()"
        ).fetchall() == [("main",)]
        assert connection.execute(
            "select count(*) from duckdb_views() where not internal"
        ).fetchall() == [(0,)]


def test_published_file_has_no_contact_details(warehouse: Path, published: PublishedFile) -> None:
    assert {("stg_crm__clients", "email"), ("stg_crm__clients", "phone")} <= set(
        _personal_data_columns(warehouse, "staging")
    )
    assert _personal_data_columns(published.path, "main") == []


def test_published_file_opens_as_catalog_marts(published: PublishedFile) -> None:
    assert published.path.name == SERVING_NAME
    with duckdb.connect(str(published.path), read_only=True) as connection:
        assert connection.execute("select current_database()").fetchall() == [("marts",)]
        qualified = connection.execute("select count(*) from marts.kpi_long").fetchall()
        unqualified = connection.execute("select count(*) from kpi_long").fetchall()
    assert qualified == unqualified == [(published.row_counts["kpi_long"],)]
    assert published.row_counts["kpi_long"] > 0


def test_publishing_a_warehouse_without_marts_keeps_the_previous_file(
    previous_serving: Path, tmp_path: Path
) -> None:
    empty_warehouse = tmp_path / "empty.duckdb"
    duckdb.connect(str(empty_warehouse)).close()
    before = _sha256(previous_serving)

    with pytest.raises(RuntimeError, match="no tables in schema 'marts'"):
        publish_marts(empty_warehouse, previous_serving)

    assert _sha256(previous_serving) == before
    assert _other_files(previous_serving) == []


def test_a_table_failing_mid_copy_keeps_the_previous_file(
    warehouse: Path, previous_serving: Path, tmp_path: Path
) -> None:
    """A mart of a type the DuckDB 1.4 storage format cannot hold fails the copy after
    every table before it (by name) was written into the new file."""
    broken = _warehouse_copy(warehouse, tmp_path)
    with duckdb.connect(str(broken)) as connection:
        connection.execute(
            "create table marts.zz_event_payloads as select 1 as event_id, '{}'::variant as payload"
        )
    before = _sha256(previous_serving)

    with pytest.raises(duckdb.InvalidInputException, match="VARIANT columns are not supported"):
        publish_marts(broken, previous_serving)

    assert _sha256(previous_serving) == before
    assert _other_files(previous_serving) == []


def test_a_view_in_the_marts_is_refused_and_keeps_the_previous_file(
    warehouse: Path, previous_serving: Path, tmp_path: Path
) -> None:
    """A view would reach back into the warehouse, which BI tools must never open."""
    with_view = _warehouse_copy(warehouse, tmp_path)
    with duckdb.connect(str(with_view)) as connection:
        connection.execute("create view marts.deals_view as select * from marts.fct_deals")
    before = _sha256(previous_serving)

    with pytest.raises(RuntimeError, match=r"tables only; views: \['deals_view'\]"):
        publish_marts(with_view, previous_serving)

    assert _sha256(previous_serving) == before
    assert _other_files(previous_serving) == []


def test_a_hugeint_column_in_the_marts_is_refused_and_keeps_the_previous_file(
    warehouse: Path, previous_serving: Path, tmp_path: Path
) -> None:
    """sum() of BIGINT is HUGEINT in DuckDB: a model that forgets the cast is caught."""
    with_hugeint = _warehouse_copy(warehouse, tmp_path)
    with duckdb.connect(str(with_hugeint)) as connection:
        connection.execute(
            "create table marts.zz_totals as select sum(deals_won) as deals_won "
            "from marts.kpi_company_period"
        )
    before = _sha256(previous_serving)

    with pytest.raises(RuntimeError, match=r"HUGEINT columns .*zz_totals\.deals_won"):
        publish_marts(with_hugeint, previous_serving)

    assert _sha256(previous_serving) == before
    assert _other_files(previous_serving) == []


def test_files_of_a_publish_killed_long_ago_are_removed_and_recent_ones_kept(
    warehouse: Path, previous_serving: Path
) -> None:
    folder = previous_serving.parent
    killed = folder / f".{SERVING_NAME}.{'a' * 32}.tmp"
    running = folder / f".{SERVING_NAME}.{'b' * 32}.tmp"
    for leftover in (killed, running):
        leftover.write_bytes(b"half a file")
    two_days_ago = time.time() - 2 * 24 * 3600
    os.utime(killed, (two_days_ago, two_days_ago))

    publish_marts(warehouse, previous_serving)

    assert _other_files(previous_serving) == [running.name]


def test_a_failure_after_the_copy_before_the_swap_keeps_the_previous_file(
    warehouse: Path, previous_serving: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The new file is complete and closed, but syncing it to disk fails."""
    synced: list[Path] = []

    def failing_fsync(path: Path) -> None:
        synced.append(path)
        raise OSError(errno.EIO, "Input/output error", str(path))

    monkeypatch.setattr(publish, "_fsync", failing_fsync)
    before = _sha256(previous_serving)

    with pytest.raises(OSError, match="Input/output error"):
        publish_marts(warehouse, previous_serving)

    [temporary] = synced
    assert temporary.parent == previous_serving.parent
    assert re.fullmatch(r"\.marts\.duckdb\.[0-9a-f]{32}\.tmp", temporary.name)
    assert _sha256(previous_serving) == before
    assert _other_files(previous_serving) == []


def test_a_reader_of_the_previous_file_keeps_it_while_new_readers_get_the_new_one(
    warehouse: Path, previous_serving: Path, tmp_path: Path
) -> None:
    """A dashboard in another process holds the serving file open read-only while the
    pipeline publishes a new version (without revenue rows in ``kpi_long``): no lock
    error, the dashboard keeps reading the previous file, a new reader gets the new."""
    without_revenue = _warehouse_copy(warehouse, tmp_path)
    with duckdb.connect(str(without_revenue)) as connection:
        connection.execute("delete from marts.kpi_long where kpi_code = 'revenue'")

    with subprocess.Popen(
        [sys.executable, "-c", SERVING_READER, str(previous_serving)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as reader:
        assert reader.stdin is not None
        assert reader.stdout is not None

        def ask(query: str) -> list[list[int]]:
            reader.stdin.write(query + "\n")
            reader.stdin.flush()
            answer = reader.stdout.readline()
            assert answer, "the reader of the previous file died"
            return json.loads(answer)

        [[revenue_rows_before]] = ask(REVENUE_ROWS)
        assert revenue_rows_before > 0

        publish_marts(without_revenue, previous_serving)

        assert reader.poll() is None
        assert ask(REVENUE_ROWS) == ask(REVENUE_VALUES) == [[revenue_rows_before]]
        with duckdb.connect(str(previous_serving), read_only=True) as new_reader:
            assert new_reader.execute(REVENUE_ROWS).fetchall() == [(0,)]
        _, errors = reader.communicate(timeout=30)
    assert reader.returncode == 0, errors
    assert _other_files(previous_serving) == []


def test_a_stale_wal_of_the_previous_file_does_not_break_the_new_one(
    warehouse: Path, previous_serving: Path
) -> None:
    """Someone opened the serving file read-write (DBeaver does by default), changed
    it and was killed before a checkpoint: its WAL stays beside the file."""
    crashed_writer = f"""
import os

import duckdb

connection = duckdb.connect({str(previous_serving)!r})
connection.execute("set checkpoint_threshold = '1TB'")
connection.execute("create table scratch as select 1 as answer")
os._exit(0)
"""
    subprocess.run([sys.executable, "-c", crashed_writer], check=True)
    assert _other_files(previous_serving) == [f"{SERVING_NAME}.wal"]

    published = publish_marts(warehouse, previous_serving)

    with duckdb.connect(str(published.path), read_only=True) as connection:
        assert connection.execute("select count(*) from kpi_long").fetchall() == [
            (published.row_counts["kpi_long"],)
        ]
        assert connection.execute(
            "select count(*) from duckdb_tables() where table_name = 'scratch'"
        ).fetchall() == [(0,)]


def _client_queries(published: PublishedFile) -> dict[str, str]:
    """The client queries, and every small table in full."""
    return CLIENT_QUERIES | {
        f"table {table}": f'select * from marts."{table}" order by all'
        for table, rows in published.row_counts.items()
        if rows <= FULL_DUMP_MAX_ROWS
    }


@pytest.fixture(scope="module")
def read_by_duckdb_2(published: PublishedFile) -> dict[str, Any]:
    return read_with(Path(sys.executable), published.path, _client_queries(published))


@pytest.mark.parametrize("series", ["1.4", "1.5"])
def test_older_duckdb_clients_read_the_same_marts(
    published: PublishedFile, read_by_duckdb_2: dict[str, Any], series: str
) -> None:
    """The Metabase driver and DBeaver bundle DuckDB 1.4 or 1.5: they must read the
    same catalog, comments, values and types as the DuckDB that wrote the file."""
    baseline = read_by_duckdb_2["results"]
    assert read_by_duckdb_2["version"].startswith("2.")
    assert baseline["kpi_long_rows"] == [[published.row_counts["kpi_long"]]]
    assert baseline["monthly_revenue"]
    assert {revenue_type for *_, revenue_type in baseline["monthly_revenue"]} == {"DECIMAL(18,2)"}
    assert sum(Decimal(revenue) for _, revenue, _ in baseline["monthly_revenue"]) > 0
    assert {(database, schema) for database, schema, *_ in baseline["catalog"]} == {
        ("marts", "main")
    }

    client = read_with(client_python(series), published.path, _client_queries(published))

    assert client["version"].startswith(f"{series}.")
    assert client["results"] == baseline


def _checked_job(outcome: str):
    """An asset with a blocking check that passes, fails with ERROR or WARN, or raises."""

    @dg.asset
    def guarded() -> None:
        return None

    @dg.asset_check(asset=guarded, blocking=True)
    def guard() -> dg.AssetCheckResult:
        if outcome == "raises":
            raise RuntimeError("the suite's query failed")
        return dg.AssetCheckResult(
            passed=outcome == "passes",
            severity=dg.AssetCheckSeverity.WARN
            if outcome == "warns"
            else dg.AssetCheckSeverity.ERROR,
        )

    definitions = dg.Definitions(assets=[guarded], asset_checks=[guard])
    return definitions.resolve_implicit_global_asset_job_def(), dg.AssetCheckKey(
        dg.AssetKey("guarded"), "guard"
    )


@pytest.mark.parametrize(
    ("outcome", "refused"),
    [("passes", False), ("warns", False), ("fails", True), ("raises", True)],
)
def test_publication_waits_for_blocking_checks_that_failed_or_never_finished(
    outcome: str, refused: bool
) -> None:
    job, key = _checked_job(outcome)
    with dg.instance_for_test() as instance:
        result = job.execute_in_process(instance=instance, raise_on_error=False)
        refusals = publish.blocking_refusals(instance, [key])
        assert refusals.keys == ([key] if refused else [])
        assert refusals.unfinished == ([key] if outcome == "raises" else [])
        # A check still planned in the run that is publishing does not refuse it.
        assert publish.blocking_refusals(instance, [key], result.run_id).keys == (
            [key] if refused and outcome != "raises" else []
        )
