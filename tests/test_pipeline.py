"""The Dagster code location: the asset graph, a whole run in process, the sensor, and
a failing blocking check that must stop the build and the publication.

The tests of this module share one small company and one Dagster instance, in order:
a first run publishes the serving file, the sensor then brings one new file, and the
last test lands a file that breaks a dbt test."""

import hashlib
import json
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.settings import PROJECT_ROOT, Settings
from orchestration.summary import latest_month_summary

RAW_TABLE_COUNT = 18


@dataclass
class Pipeline:
    settings: Settings
    instance: dg.DagsterInstance
    defs: dg.Definitions

    def run(self, **tags: str) -> dg.ExecuteInProcessResult:
        job = self.defs.resolve_job_def("salesdw_pipeline")
        return job.execute_in_process(instance=self.instance, raise_on_error=False, tags=tags)

    def ledger_paths(self) -> list[str]:
        with duckdb.connect(str(self.settings.warehouse_path), read_only=True) as connection:
            rows = connection.execute("select path from raw.ingest_ledger order by path")
            return [path for (path,) in rows.fetchall()]


@pytest.fixture(scope="module")
def pipeline(
    tmp_path_factory: pytest.TempPathFactory, dbt_scratch_paths: None
) -> Iterator[Pipeline]:
    root = tmp_path_factory.mktemp("pipeline")
    dagster_home = root / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(PROJECT_ROOT / ".dagster_home" / "dagster.yaml", dagster_home)
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESDW_LANDING_DIR", str(root / "landing"))
        patch.setenv("SALESDW_WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
        patch.setenv("SALESDW_MARTS_PATH", str(root / "serving" / "marts.duckdb"))
        patch.setenv("DAGSTER_HOME", str(dagster_home))
        settings = Settings()
        generate(
            GeneratorConfig(
                out=settings.landing_dir, scale=0.05, seed=5, start=date(2024, 1, 1), months=6
            )
        )
        # Imported here, not at collection: the dbt manifest goes to the scratch target.
        from orchestration.definitions import defs  # noqa: PLC0415

        with dg.DagsterInstance.get() as instance:
            yield Pipeline(settings, instance, defs)


@pytest.fixture(scope="module")
def first_run(pipeline: Pipeline) -> dg.ExecuteInProcessResult:
    return pipeline.run()


def _graph(pipeline: Pipeline):
    return pipeline.defs.resolve_asset_graph()


def test_definitions_load_with_every_layer(pipeline: Pipeline) -> None:
    dg.Definitions.validate_loadable(pipeline.defs)
    keys = _graph(pipeline).get_all_asset_keys()
    by_group = {}
    for key in keys:
        by_group.setdefault(_graph(pipeline).get(key).group_name, []).append(key)
    assert len(by_group["raw"]) == RAW_TABLE_COUNT + 2  # plus the ledger and the rejects
    assert {"reference", "staging", "intermediate", "marts", "serving"} <= set(by_group)
    assert dg.AssetKey(["marts", "kpi_long"]) in keys
    assert dg.AssetKey(["reference", "kpi_catalogue"]) in keys
    assert pipeline.defs.resolve_job_def("salesdw_pipeline")
    assert pipeline.defs.resolve_schedule_def("daily_refresh").execution_timezone == (
        pipeline.settings.reporting_time_zone
    )
    assert pipeline.defs.resolve_sensor_def("new_landing_files")


def test_a_model_changed_after_the_parse_makes_the_manifest_stale(pipeline: Pipeline) -> None:
    """A `git pull` that brings a model must not run against the old manifest."""
    from orchestration.pipeline.dbt_models import PROJECT, manifest_is_stale  # noqa: PLC0415

    assert not manifest_is_stale(PROJECT)
    parsed_at = PROJECT.manifest_path.stat().st_mtime
    model = PROJECT.project_dir / "models" / "marts" / "kpi" / "kpi_long.sql"
    edited = model.stat()
    try:
        os.utime(model, (edited.st_atime, parsed_at + 1))
        assert manifest_is_stale(PROJECT)
    finally:
        os.utime(model, (edited.st_atime, edited.st_mtime))
    assert not manifest_is_stale(PROJECT)


def test_dbt_tests_are_checks_and_errors_block(pipeline: Pipeline) -> None:
    checks = list(_graph(pipeline).asset_check_keys)
    assert len(checks) > 500
    specs = {
        spec.key: spec
        for assets in pipeline.defs.assets
        if isinstance(assets, dg.AssetsDefinition)
        for spec in assets.check_specs
    }
    unique_deal = dg.AssetCheckKey(dg.AssetKey(["marts", "fct_deals"]), "unique_fct_deals_deal_id")
    assert specs[unique_deal].blocking


def test_every_raw_table_flows_through_staging_to_the_serving_file(pipeline: Pipeline) -> None:
    graph = _graph(pipeline)
    serving = dg.AssetKey(["serving", "marts_duckdb"])
    raw_tables = [
        key
        for key in graph.get_all_asset_keys()
        if key.path[0] == "raw" and key.path[1] not in {"ingest_ledger", "rejects"}
    ]
    assert len(raw_tables) == RAW_TABLE_COUNT
    for raw in raw_tables:
        # crm/managers feeds stg_crm__manager_versions, the history of each manager.
        (staging,) = [
            key
            for key in graph.get(raw).child_keys
            if key.path[0] == "staging" and key.path[1].startswith(f"stg_{raw.path[1][:-1]}")
        ]
        downstream = dg.AssetSelection.assets(staging).downstream().resolve(graph)
        assert any(key.path[0] == "marts" for key in downstream), raw
        assert serving in downstream, raw
    marts = [key for key in graph.get_all_asset_keys() if key.path[0] == "marts"]
    assert set(graph.get(serving).parent_keys) == set(marts)
    assert not graph.get(serving).child_keys


def test_the_whole_graph_materialises_and_publishes(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    assert first_run.success
    materialised = {event.asset_key for event in first_run.get_asset_materialization_events()}
    assert materialised == set(_graph(pipeline).get_all_asset_keys())
    with duckdb.connect(str(pipeline.settings.marts_path), read_only=True) as serving:
        months = serving.execute(
            "select count(*) from marts.kpi_company_period where period_grain = 'month'"
        ).fetchall()[0][0]
    assert months >= 6
    failed_checks = [
        evaluation
        for evaluation in first_run.get_asset_check_evaluations()
        if not evaluation.passed
    ]
    assert failed_checks == []


def test_materialisations_carry_what_a_person_reads_at_a_glance(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    metadata = {
        event.asset_key: event.materialization.metadata
        for event in first_run.get_asset_materialization_events()
    }
    deals = metadata[dg.AssetKey(["raw", "crm__deals"])]
    with duckdb.connect(str(pipeline.settings.warehouse_path), read_only=True) as warehouse:
        loaded = warehouse.execute(
            "select count(*), sum(rows_loaded) from raw.ingest_ledger where table_name = 'deals'"
        ).fetchall()[0]
    assert (deals["files_loaded"].value, deals["rows_loaded"].value) == loaded
    assert deals["dagster/row_count"].value == loaded[1]
    published = metadata[dg.AssetKey(["serving", "marts_duckdb"])]
    assert published["tables"].value == 30
    latest = latest_month_summary(pipeline.settings.marts_path)
    assert published["latest_full_month"].value == f"{latest.month:%Y-%m}"
    assert published["revenue_rub"].value == float(latest.company.revenue) > 0
    assert published["deals_won"].value == latest.company.deals_won
    assert "Top managers by revenue" in published["summary"].value


def _new_team_version(settings: Settings) -> Path:
    """A later extract of crm/teams that renames one team."""
    folder = settings.landing_dir / "crm" / "teams"
    source = sorted(folder.glob("*.parquet"))[0]
    target = folder / "zz_rename.parquet"
    with duckdb.connect() as connection:
        connection.execute(
            f"""
            copy (
                select * replace (
                    team_name || ' (renamed)' as team_name,
                    updated_at + interval 1 day as updated_at
                )
                from read_parquet('{source}')
                order by team_id
                limit 1
            ) to '{target}' (format parquet)
            """
        )
    return target


def _evaluate_sensor(pipeline: Pipeline, cursor: str | None) -> dg.SensorResult | dg.SkipReason:
    sensor = pipeline.defs.resolve_sensor_def("new_landing_files")
    context = dg.build_sensor_context(instance=pipeline.instance, cursor=cursor)
    return sensor.evaluate_tick(context)


def test_the_sensor_starts_a_run_for_a_new_file_and_only_it_is_ingested(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    assert first_run.success
    quiet = _evaluate_sensor(pipeline, cursor=None)
    assert quiet.run_requests == [], "a loaded warehouse must not start a run"
    loaded_before = pipeline.ledger_paths()

    new_file = _new_team_version(pipeline.settings)
    tick = _evaluate_sensor(pipeline, cursor=quiet.cursor)
    assert len(tick.run_requests) == 1
    assert tick.run_requests[0].tags["salesdw/new_files"] == "1"
    assert json.loads(tick.cursor)[f"crm/teams/{new_file.name}"]
    assert _evaluate_sensor(pipeline, cursor=tick.cursor).run_requests == []

    result = pipeline.run(**tick.run_requests[0].tags)
    assert result.success
    assert pipeline.ledger_paths() == sorted([*loaded_before, f"crm/teams/{new_file.name}"])
    files_loaded = {
        event.asset_key.path[1]: event.materialization.metadata["files_loaded"].value
        for event in result.get_asset_materialization_events()
        if event.asset_key.path[0] == "raw"
        and event.asset_key.path[1] != "ingest_ledger"
        and event.asset_key.path[1] != "rejects"
    }
    assert files_loaded.pop("crm__teams") == 1
    assert set(files_loaded.values()) == {0}
    with duckdb.connect(str(pipeline.settings.marts_path), read_only=True) as serving:
        renamed = serving.execute(
            "select count(*) from marts.dim_teams where team_name like '%(renamed)'"
        ).fetchall()[0][0]
    assert renamed == 1


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_failing_blocking_check_stops_publish_and_keeps_the_served_file(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    assert first_run.success
    served_before = _sha256(pipeline.settings.marts_path)
    orphan = pipeline.settings.landing_dir / "finance" / "payments" / "zz_orphan.csv"
    # A payment for an invoice the finance system never sent passes the raw contract
    # (a payment names no manager) but not the payments' suite: its revenue would be
    # credited to no manager.
    orphan.write_text(
        "payment_id,invoice_id,paid_at,amount,currency\n"
        "PAY-ORPHAN-1,INV-DOES-NOT-EXIST,2024-06-10T10:00:00,1000.00,RUB\n"
    )
    result = pipeline.run()
    assert not result.success
    (failed,) = [e for e in result.get_asset_check_evaluations() if not e.passed]
    assert failed.asset_key == dg.AssetKey(["raw", "finance__payments"])
    assert failed.check_name == "gx_raw_finance__payments"
    assert failed.severity is dg.AssetCheckSeverity.ERROR
    assert "PAY-ORPHAN-1" in json.dumps(failed.metadata["sample"].value)
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    # The blocking check stopped the build too: the marts still hold the last good data.
    assert not any(key.path[0] in {"staging", "marts"} for key in materialised)
    assert dg.AssetKey(["serving", "marts_duckdb"]) not in materialised
    assert _sha256(pipeline.settings.marts_path) == served_before
    assert not list(pipeline.settings.marts_path.parent.glob("*.tmp"))


def test_publishing_alone_after_a_failed_check_is_refused(
    pipeline: Pipeline, first_run: dg.ExecuteInProcessResult
) -> None:
    """Runs after the failing-check test: the orphan payment is still in the warehouse."""
    served_before = _sha256(pipeline.settings.marts_path)
    job = pipeline.defs.resolve_implicit_global_asset_job_def()
    result = job.execute_in_process(
        instance=pipeline.instance,
        asset_selection=[dg.AssetKey(["serving", "marts_duckdb"])],
        raise_on_error=False,
    )
    assert not result.success
    (failure,) = [event for event in result.all_events if event.is_step_failure]
    message = failure.step_failure_data.user_failure_data.description
    # The payments' suite failed; the build it stopped left the dbt tests unfinished.
    assert message.startswith("not published: 1 blocking checks failed and ")
    assert "failed: raw/finance__payments:gx_raw_finance__payments; never finished: " in message
    assert _sha256(pipeline.settings.marts_path) == served_before
