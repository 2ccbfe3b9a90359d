"""The ``salesdw`` command line, end to end on a tiny company."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, main

TINY = ["--scale", "0.05", "--months", "2", "--seed", "3"]
HOLD_LOCK = (
    "import duckdb, time; connection = duckdb.connect({path!r}); "
    "print('ready', flush=True); time.sleep(60)"
)


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Path, Path]:
    landing, warehouse = tmp_path / "landing", tmp_path / "warehouse" / "warehouse.duckdb"
    monkeypatch.setenv("SALESDW_LANDING_DIR", str(landing))
    monkeypatch.setenv("SALESDW_WAREHOUSE_PATH", str(warehouse))
    return landing, warehouse


def test_generate_then_ingest_uses_the_settings(paths: tuple[Path, Path]) -> None:
    landing, warehouse = paths

    assert main(["generate", *TINY]) == EXIT_OK
    assert main(["ingest", "--strict"]) == EXIT_OK

    assert (landing / "crm" / "deals").is_dir()
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        assert connection.execute("select count(*) from raw.crm__deals").fetchone()[0] > 0


def test_strict_ingest_of_messy_data_exits_with_bad_input(paths: tuple[Path, Path]) -> None:
    assert main(["generate", *TINY, "--messy"]) == EXIT_OK

    assert main(["ingest", "--table", "finance/fx_rates", "--table", "crm/managers"]) == EXIT_OK
    assert main(["ingest", "--strict"]) == EXIT_BAD_INPUT
    assert main(["ingest"]) == EXIT_OK


def test_a_missing_landing_folder_is_an_error_not_an_empty_load(
    paths: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    assert main(["ingest"]) == EXIT_FAILED
    assert "does not exist" in caplog.text


def test_a_warehouse_held_by_another_writer_is_reported(
    paths: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    _, warehouse = paths
    main(["generate", *TINY])
    warehouse.parent.mkdir(parents=True)
    # A lock held by this same process does not conflict, so hold it from another one.
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK.format(path=str(warehouse))],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline().strip() == "ready"
        assert main(["ingest"]) == EXIT_FAILED
    finally:
        holder.kill()
        holder.wait()
    assert "Could not set lock" in caplog.text


def test_an_unknown_table_is_refused_by_the_parser(paths: tuple[Path, Path]) -> None:
    with pytest.raises(SystemExit):
        main(["ingest", "--table", "crm/opportunities"])


def test_one_table_loads_with_the_tables_it_is_checked_against(paths: tuple[Path, Path]) -> None:
    _, warehouse = paths
    main(["generate", *TINY])

    assert main(["ingest", "--table", "crm/deals", "--strict"]) == EXIT_OK

    with duckdb.connect(str(warehouse), read_only=True) as connection:
        loaded = connection.execute(
            "select source || '/' || table_name from raw.ingest_ledger group by all order by 1"
        ).fetchall()
    assert loaded == [("crm/deals",), ("crm/managers",), ("finance/fx_rates",)]


def test_a_reporting_currency_the_demo_cannot_price_is_an_error(
    paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("SALESDW_REPORTING_CURRENCY", "JPY")

    assert main(["generate", *TINY]) == EXIT_FAILED
    assert "JPY" in caplog.text


def test_months_must_be_positive(paths: tuple[Path, Path]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--months", "0"])


def test_build_hands_the_settings_to_dbt(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from orchestration.settings import Settings  # noqa: PLC0415
    from orchestration.transform import dbt_arguments, dbt_environment  # noqa: PLC0415

    monkeypatch.setenv("SALESDW_REPORTING_CURRENCY", "usd")
    monkeypatch.setenv("SALESDW_REPORTING_TIME_ZONE", "America/New_York")
    monkeypatch.setenv("SALESDW_FISCAL_YEAR_START_MONTH", "2")
    settings = Settings(warehouse_path=tmp_path / "w.duckdb")
    environment = dbt_environment(settings)
    assert environment["SALESDW_WAREHOUSE_PATH"] == str(tmp_path / "w.duckdb")
    assert environment["SALESDW_REPORTING_CURRENCY"] == "USD"
    assert environment["SALESDW_REPORTING_TIME_ZONE"] == "America/New_York"
    assert environment["SALESDW_FISCAL_YEAR_START_MONTH"] == "2"
    arguments = dbt_arguments("docs generate", ["--select", "dim_date"])
    assert arguments[:2] == ["docs", "generate"]
    assert arguments[-2:] == ["--select", "dim_date"]


def test_a_fiscal_year_cannot_start_in_month_13(monkeypatch: pytest.MonkeyPatch) -> None:
    from orchestration.settings import Settings  # noqa: PLC0415

    monkeypatch.setenv("SALESDW_FISCAL_YEAR_START_MONTH", "13")
    with pytest.raises(ValueError, match="1-12"):
        Settings()


def test_a_failed_build_exits_with_failure_and_names_the_model(
    paths: tuple[Path, Path], caplog: pytest.LogCaptureFixture
) -> None:
    # On a fresh warehouse the staging views it reads do not exist yet.
    assert main(["build", "--select", "int_date_bounds"]) == EXIT_FAILED
    assert "model.salesdw.int_date_bounds" in caplog.text


def test_run_hands_this_runs_settings_to_dagsters_steps(
    paths: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dagster's steps read SALESDW_* from the environment, not the command line."""
    from orchestration.pipeline import console  # noqa: PLC0415 - imports Dagster

    seen: dict[str, str] = {}

    def failing_run(*, full_refresh: bool) -> bool:
        seen.update(os.environ)
        return False

    monkeypatch.setattr(os, "environ", dict(os.environ))
    monkeypatch.setattr(console, "run_pipeline", failing_run)
    arguments = ["--reporting-currency", "usd", "--time-zone", "America/New_York"]
    assert main([*arguments, "--fiscal-year-start-month", "2", "run"]) == EXIT_FAILED
    assert seen["SALESDW_REPORTING_CURRENCY"] == "USD"
    assert seen["SALESDW_REPORTING_TIME_ZONE"] == "America/New_York"
    assert seen["SALESDW_FISCAL_YEAR_START_MONTH"] == "2"
    assert seen["SALESDW_WAREHOUSE_PATH"] == str(paths[1])
