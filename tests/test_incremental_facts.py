"""Incremental facts: two incremental builds with late-arriving updates in between
(re-sent records, deletions, a back-dated team change, a corrected exchange rate)
give exactly the tables a full refresh gives."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.raw.contract import TABLES, TABLES_BY_PATH
from orchestration.raw.ingest import ingest
from orchestration.settings import Settings
from orchestration.transform import run_dbt

MODELS_WITHOUT_TESTS = ["--exclude-resource-type", "test", "unit_test"]
MONTHS = ("2024-01", "2024-02", "2024-03", "2024-04")


def _land_month(generated: Path, landing: Path, month: str) -> None:
    for file in generated.rglob(f"*_{month}*"):
        target = landing / file.relative_to(generated)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(file, target)


def _land_late_rows(settings: Settings, table_path: str, name: str, select_sql: str) -> None:
    """Write rows chosen from the raw table as a new landing file of that table."""
    table = TABLES_BY_PATH[table_path]
    columns = ", ".join(table.column_names) + (", is_deleted" if table.deletable else "")
    target = settings.landing_dir / table_path / f"{name}.parquet"
    target.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(
            f"copy (select {columns} from ({select_sql})) to '{target}' (format parquet)"
        )


def _build(settings: Settings, *extra: str) -> None:
    outcome = run_dbt("build", settings, [*MODELS_WITHOUT_TESTS, *extra])
    assert outcome.succeeded, outcome.failures


def _built_tables(warehouse: Path) -> list[str]:
    """The tables dbt builds: the incremental staging tables and every mart."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select table_schema || '.' || table_name from information_schema.tables "
            "where table_schema in ('staging', 'marts') and table_type = 'BASE TABLE' "
            "order by 1"
        ).fetchall()
    return [row[0] for row in rows]


def _first_late_updates(settings: Settings) -> None:
    _land_late_rows(
        settings,
        "crm/deals",
        "late_deals_1",
        "select * exclude (amount, updated_at), amount * 2 as amount, "
        "updated_at + interval 90 day as updated_at "
        "from raw.crm__deals where status = 'won' order by deal_id limit 5",
    )
    _land_late_rows(
        settings,
        "crm/deals",
        "deleted_deals_1",
        "select * exclude (is_deleted, updated_at), true as is_deleted, "
        "updated_at + interval 90 day as updated_at "
        "from raw.crm__deals where status = 'lost' order by deal_id limit 2",
    )
    # A won deal with money on it: its payments lose their manager, team and channel.
    _land_late_rows(
        settings,
        "crm/deals",
        "deleted_paid_deal",
        "select * exclude (is_deleted, updated_at), true as is_deleted, "
        "updated_at + interval 90 day as updated_at "
        "from raw.crm__deals where status = 'won' and deal_id in ("
        "select invoices.deal_id from raw.finance__invoices as invoices "
        "join raw.finance__payments as payments using (invoice_id)) "
        "order by deal_id desc limit 1",
    )
    _land_late_rows(
        settings,
        "crm/activities",
        "deleted_activities_1",
        "select * exclude (is_deleted, updated_at), true as is_deleted, "
        "updated_at + interval 90 day as updated_at "
        "from raw.crm__activities order by activity_id limit 7",
    )
    # A team change that happened in January but reaches the warehouse only now.
    _land_late_rows(
        settings,
        "crm/managers",
        "late_team_change",
        "select * exclude (team_id, updated_at), "
        "(select max(team_id) from raw.crm__teams) as team_id, "
        "timestamp '2024-01-15 09:00:00' as updated_at "
        "from raw.crm__managers "
        "where team_id <> (select max(team_id) from raw.crm__teams) "
        "and manager_id in (select manager_id from raw.crm__managers group by manager_id "
        "having count(*) = 1 and max(updated_at) < timestamp '2024-01-15') "
        "order by manager_id limit 1",
    )
    _land_late_rows(
        settings,
        "finance/fx_rates",
        "corrected_rates",
        "select * exclude (rate_to_base), round(rate_to_base * 1.01, 8) as rate_to_base "
        "from raw.finance__fx_rates where rate_date between '2024-02-05' and '2024-02-09'",
    )


def _second_late_updates(settings: Settings) -> None:
    _land_late_rows(
        settings,
        "finance/payments",
        "corrected_payments",
        "select * exclude (amount), amount - 1 as amount "
        "from raw.finance__payments where amount > 100 order by payment_id limit 4",
    )
    _land_late_rows(
        settings,
        "crm/deal_stage_changes",
        "deleted_stage_changes",
        "select * exclude (is_deleted), true as is_deleted "
        "from raw.crm__deal_stage_changes order by change_id limit 3",
    )
    _land_late_rows(
        settings,
        "crm/leads",
        "requalified_leads",
        "select * exclude (channel_code, updated_at), 'partner' as channel_code, "
        "updated_at + interval 120 day as updated_at "
        "from raw.crm__leads where deal_id is not null order by lead_id limit 5",
    )


@pytest.fixture(scope="module")
def incremental_and_full(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("incremental")
    generated = root / "generated"
    generate(GeneratorConfig(out=generated, scale=0.1, seed=3, start=date(2024, 1, 1), months=4))
    settings = Settings(landing_dir=root / "landing", warehouse_path=root / "incremental.duckdb")

    for month in MONTHS[:2]:
        _land_month(generated, settings.landing_dir, month)
    ingest(settings, TABLES)
    _build(settings)

    _land_month(generated, settings.landing_dir, MONTHS[2])
    _first_late_updates(settings)
    ingest(settings, TABLES)
    # The team history is older than the raw data now: a fact alone must not build.
    partial = run_dbt("build", settings, [*MODELS_WITHOUT_TESTS, "--select", "fct_payments"])
    assert not partial.succeeded
    assert any("build them first" in failure for failure in partial.failures)
    _build(settings)

    _land_month(generated, settings.landing_dir, MONTHS[3])
    _second_late_updates(settings)
    ingest(settings, TABLES)
    _build(settings)

    full = replace(settings, warehouse_path=root / "full.duckdb")
    shutil.copy2(settings.warehouse_path, full.warehouse_path)
    _build(full, "--full-refresh")
    return settings.warehouse_path, full.warehouse_path


def _differences(left: Path, right: Path) -> dict[str, tuple[int, int]]:
    """Rows of each built table that only one of the two warehouses has."""
    tables = _built_tables(left)
    assert tables == _built_tables(right)
    differences = {}
    with duckdb.connect() as connection:
        connection.execute(f"attach '{left}' as left_side (read_only)")
        connection.execute(f"attach '{right}' as right_side (read_only)")
        for table in tables:
            counts = connection.execute(
                f"""
                select
                    (select count(*) from (
                        select * from left_side.{table}
                        except all
                        select * from right_side.{table})),
                    (select count(*) from (
                        select * from right_side.{table}
                        except all
                        select * from left_side.{table}))
                """
            ).fetchone()
            if counts != (0, 0):
                differences[table] = counts
    return differences


def test_incremental_runs_equal_a_full_refresh(incremental_and_full: tuple[Path, Path]) -> None:
    incremental, full = incremental_and_full
    assert {"staging.stg_crm__activities", "marts.fct_activities"} <= set(
        _built_tables(incremental)
    )
    assert _differences(incremental, full) == {}


def test_a_new_time_zone_rebuilds_every_record(
    incremental_and_full: tuple[Path, Path], tmp_path: Path
) -> None:
    incremental, _ = incremental_and_full
    new_york = Settings(
        landing_dir=tmp_path / "unused",
        warehouse_path=tmp_path / "incremental.duckdb",
        reporting_time_zone="America/New_York",
    )
    shutil.copy2(incremental, new_york.warehouse_path)
    _build(new_york)
    rebuilt = replace(new_york, warehouse_path=tmp_path / "full.duckdb")
    shutil.copy2(incremental, rebuilt.warehouse_path)
    _build(rebuilt, "--full-refresh")
    assert _differences(new_york.warehouse_path, rebuilt.warehouse_path) == {}
    assert _differences(incremental, new_york.warehouse_path) != {}


def _incremental_query(incremental: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(incremental), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_the_incremental_facts_ran_incrementally(
    incremental_and_full: tuple[Path, Path],
) -> None:
    incremental, _ = incremental_and_full
    watermarks = _incremental_query(
        incremental,
        "select model_name from meta.build_watermarks "
        "where file_id = (select max(file_id) from raw.ingest_ledger) order by 1",
    )
    assert {
        "stg_crm__activities",
        "fct_activities",
        "fct_deal_stage_changes",
        "fct_deals",
        "fct_leads",
        "fct_payments",
        "fct_tasks",
    } <= {row[0] for row in watermarks}


def test_late_updates_reach_the_incremental_facts(
    incremental_and_full: tuple[Path, Path],
) -> None:
    incremental, _ = incremental_and_full
    deleted_activities = _incremental_query(
        incremental,
        "select count(*) from marts.fct_activities where activity_id in ("
        "select activity_id from raw.crm__activities where is_deleted)",
    )
    doubled_deals = _incremental_query(
        incremental,
        "select count(*) from marts.fct_deals as deals "
        "join raw.crm__deals as raw_deals using (deal_id) "
        "where raw_deals._source_file like '%late_deals_1%' and deals.amount = raw_deals.amount",
    )
    moved_manager_events = _incremental_query(
        incremental,
        "select "
        "count(*) filter (where (activities.team_id = moved.team_id) = "
        "(activities.event_at >= moved.updated_at)), "
        "count(*) filter (where activities.event_at >= moved.updated_at), "
        "count(*) "
        "from marts.fct_activities as activities "
        "join raw.crm__managers as moved using (manager_id) "
        "where moved._source_file like '%late_team_change%'",
    )
    payments_of_the_deleted_deal = _incremental_query(
        incremental,
        "select count(*), count(manager_id), count(team_id), count(channel_code) "
        "from marts.fct_payments where deal_id in ("
        "select deal_id from raw.crm__deals where _source_file like '%deleted_paid_deal%')",
    )
    assert deleted_activities == [(0,)]
    paid, with_manager, with_team, with_channel = payments_of_the_deleted_deal[0]
    assert paid > 0
    assert (with_manager, with_team, with_channel) == (0, 0, 0)
    assert doubled_deals == [(5,)]
    in_the_right_team, after_the_change, events = moved_manager_events[0]
    assert 0 < after_the_change < events
    assert in_the_right_team == events
