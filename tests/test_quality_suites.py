"""The suites in ``expectations/`` as files: each loads as GX wrote it, guards an asset
of the pipeline, says what a failure means, and the raw ones agree with the contract."""

import json

import dagster as dg
import pytest
from great_expectations.core import ExpectationSuite
from great_expectations.expectations.metadata_types import FailureSeverity

from orchestration.pipeline.quality import check_key, quality_checks
from orchestration.quality.suites import EXPECTATIONS_DIR, Suite, load_suites
from orchestration.raw.contract import TABLES

SUITES = load_suites()
BY_NAME = {suite.name: suite for suite in SUITES}
# Tables that grow with the company: their datasets are validated chunk by chunk.
LARGE_MARTS = ("marts.fct_activities", "marts.fct_tasks", "marts.kpi_long")


@pytest.fixture(scope="module")
def asset_graph(dbt_scratch_paths: None):
    # Imported here, not at collection: the dbt manifest goes to the scratch target.
    from orchestration.definitions import defs  # noqa: PLC0415

    return defs.resolve_asset_graph()


def test_every_suite_is_in_gx_own_serialised_form() -> None:
    for path in sorted(EXPECTATIONS_DIR.glob("*/*.json")):
        document = json.loads(path.read_text())
        rewritten = ExpectationSuite(**document).to_json_dict()
        # A suite in the repository has no id: GX gives one when it stores the suite.
        assert document.pop("id", None) is None
        rewritten.pop("id")
        assert rewritten == document, path


def test_every_suite_guards_an_asset_of_the_pipeline(asset_graph) -> None:
    assets = asset_graph.get_all_asset_keys()
    for suite in SUITES:
        assert dg.AssetKey(list(suite.asset)) in assets, suite.path
    assert {check_key(suite) for suite in SUITES} <= set(asset_graph.asset_check_keys)


def test_every_raw_table_and_every_mart_has_its_suite(asset_graph) -> None:
    for table in TABLES:
        assert BY_NAME[f"raw.{table.raw_relation}"].asset == ("raw", table.raw_relation)
    marts = [key for key in asset_graph.get_all_asset_keys() if key.path[0] == "marts"]
    assert len(marts) == 30
    guarded = {suite.asset for suite in SUITES if suite.layer == "marts"}
    assert {tuple(key.path) for key in marts} == guarded


@pytest.mark.parametrize("suite", SUITES, ids=lambda suite: suite.name)
def test_every_expectation_says_what_its_failure_means(suite: Suite) -> None:
    assert suite.description
    for expectation in suite.expectations:
        assert expectation.severity in set(FailureSeverity), suite.path
        assert len(expectation.description or "") > 40, (suite.path, expectation.expectation_type)


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.raw_relation)
def test_raw_suites_check_the_contract_key(table) -> None:
    suite = BY_NAME[f"raw.{table.raw_relation}"]
    assert set(table.key) <= set(suite.key)
    not_null = {
        expectation.configuration.kwargs["column"]
        for expectation in suite.expectations
        if expectation.expectation_type == "expect_column_values_to_not_be_null"
        and expectation.severity is FailureSeverity.CRITICAL
    }
    # sales_plans' channel_code is part of its key and empty for a plan of all channels.
    required = {name for name in table.key if not table.column(name).nullable}
    assert required <= not_null, suite.path
    # A key twice in one file is rejected by the ingestion; across files the dataset
    # names the file that delivered it first, which GX's own uniqueness could not say.
    repeated = [
        expectation
        for expectation in suite.expectations
        if expectation.configuration.kwargs.get("column") == "duplicate_delivery"
        and expectation.expectation_type == "expect_column_values_to_be_null"
    ]
    assert repeated, suite.path


@pytest.mark.parametrize("table", TABLES, ids=lambda table: table.raw_relation)
def test_raw_suites_know_the_contract_enums(table) -> None:
    suite = BY_NAME[f"raw.{table.raw_relation}"]
    in_set = {
        expectation.configuration.kwargs["column"]: set(
            expectation.configuration.kwargs["value_set"]
        )
        for expectation in suite.expectations
        if expectation.expectation_type == "expect_column_values_to_be_in_set"
    }
    for column in table.columns:
        if column.accepted:
            assert in_set.get(column.name) == set(column.accepted), (suite.path, column.name)


@pytest.mark.parametrize(
    "name",
    [*(f"raw.{table.raw_relation}" for table in TABLES), *LARGE_MARTS],
)
def test_suites_of_large_tables_can_be_validated_in_chunks(name: str) -> None:
    BY_NAME[name].check_chunkable()


def test_the_raw_suites_run_before_the_build_and_the_rest_after() -> None:
    raw_step, built_step = quality_checks(SUITES)
    assert {spec.key.asset_key.path[0] for spec in raw_step.check_specs} == {"raw"}
    assert "raw" not in {spec.key.asset_key.path[0] for spec in built_step.check_specs}
    blocking = [spec for spec in raw_step.check_specs if spec.blocking]
    assert blocking
