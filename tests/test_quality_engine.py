"""The validation engine on a tiny warehouse: suites load only when GX can run them as
written, a chunked validation adds up to what one pass over all rows finds, and the
outcome becomes the Dagster check result a person reads."""

import json
from pathlib import Path

import dagster as dg
import duckdb
import great_expectations as gx
import pytest
from great_expectations.core import ExpectationSuite

from orchestration.pipeline.quality import check_result
from orchestration.quality import validation
from orchestration.quality.gx_project import data_docs_index
from orchestration.quality.suites import SuiteError, load_suite, load_suites
from orchestration.settings import Settings

ROWS = 2_000
BAD_AMOUNTS = 7  # rows 0, 300, ..., 1800
DUPLICATED = 3


def _write_suite(folder: Path, layer: str, name: str, expectations: list, **salesdw) -> Path:
    suite = ExpectationSuite(
        name=f"{layer}.{name}",
        expectations=expectations,
        meta={"salesdw": {"asset": "raw/orders", "key": ["order_id"]} | salesdw},
    )
    document = suite.to_json_dict()
    document.pop("id")
    path = folder / layer / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document, indent=2) + "\n")
    return path


@pytest.fixture
def warehouse(tmp_path: Path) -> Settings:
    settings = Settings(
        warehouse_path=tmp_path / "warehouse.duckdb", quality_dir=tmp_path / "quality"
    )
    with duckdb.connect(str(settings.warehouse_path)) as connection:
        connection.execute(
            f"""
            create schema raw;
            create table raw.orders as
            select
                'O-' || lpad(i::varchar, 5, '0') as order_id,
                case when i % 300 = 0 then -1.50 else 10.25 end::decimal(18, 2) as amount,
                case when i % 2 = 0 then 'won' else 'lost' end as status,
                date '2025-01-01' + (i % 30)::integer as created_on
            from range({ROWS}) as numbers (i);
            insert into raw.orders
            select * from raw.orders order by order_id limit {DUPLICATED};
            """
        )
    return settings


def _suite(folder: Path) -> Path:
    return _write_suite(
        folder,
        "raw",
        "orders",
        [
            gx.expectations.ExpectColumnValuesToBeUnique(
                column="order_id", severity="warning", description="one row per order"
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="amount", min_value=0, description="amounts are not negative"
            ),
            gx.expectations.ExpectColumnValuesToBeInSet(
                column="status", value_set=["won", "lost"], description="known statuses"
            ),
            gx.expectations.ExpectColumnValuesToBeBetween(
                column="created_on",
                max_value={"$PARAMETER": "now_utc"},
                description="nothing in the future",
            ),
        ],
    )


def test_a_chunked_validation_finds_what_one_pass_finds(
    warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _suite(tmp_path / "suites")
    suites = load_suites(tmp_path / "suites")
    (whole,) = validation.validate(warehouse, suites, run_name="whole")
    monkeypatch.setattr(validation, "CHUNK_ROWS", 300)
    (chunked,) = validation.validate(warehouse, suites, run_name="chunked")

    assert (whole.chunks, chunked.chunks) == (1, 7)
    for outcome in (whole, chunked):
        assert outcome.rows == ROWS + DUPLICATED
        failed = {failure.expectation_type: failure for failure in outcome.failures}
        assert set(failed) == {
            "expect_column_values_to_be_unique",
            "expect_column_values_to_be_between",
        }
        # Both copies of each duplicated key are unexpected; GX counts every row.
        assert failed["expect_column_values_to_be_unique"].unexpected_count == 2 * DUPLICATED
        amounts = failed["expect_column_values_to_be_between"]
        assert amounts.unexpected_count == BAD_AMOUNTS + 1  # order O-00000 is duplicated
        assert amounts.element_count == ROWS + DUPLICATED
        assert {row["order_id"] for row in amounts.sample} == {
            f"O-{i:05d}" for i in range(0, ROWS, 300)
        }
        assert outcome.blocks and outcome.warns


def test_worker_processes_find_what_one_process_finds(
    warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _suite(tmp_path / "suites")
    _write_suite(
        tmp_path / "suites",
        "raw",
        "statuses",
        [gx.expectations.ExpectColumnValuesToBeInSet(column="status", value_set=["won"])],
        key=["order_id"],
    )
    suites = load_suites(tmp_path / "suites")
    serial = validation.validate(warehouse, suites, run_name="serial")
    # A big warehouse is validated by a worker process per core; this one is tiny.
    monkeypatch.setattr(validation, "_PARALLEL_FROM_ROWS", 0)
    monkeypatch.setattr(validation, "_WORKERS", 2)
    parallel = validation.validate(warehouse, suites, run_name="parallel")

    assert [outcome.suite.name for outcome in parallel] == ["raw.orders", "raw.statuses"]
    for one, other in zip(serial, parallel, strict=True):
        assert [failure.summary() for failure in one.failures] == [
            failure.summary() for failure in other.failures
        ]
    # The odd orders are lost, and so is one of the three duplicated first orders.
    assert parallel[1].failures[0].unexpected_count == ROWS // 2 + 1


@pytest.mark.parametrize("chunk_rows", [10_000, 300])
def test_an_expectation_that_cannot_be_evaluated_fails_however_the_rows_are_split(
    warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk_rows: int
) -> None:
    """A range check on a text column raises inside GX, which files the error under the
    metric's name; the suite must block, and the error be shown, in every chunk count."""
    _write_suite(
        tmp_path / "suites",
        "raw",
        "orders",
        [
            gx.expectations.ExpectColumnValuesToBeInSet(column="order_id", value_set=["x"]),
            gx.expectations.ExpectColumnValuesToBeBetween(column="status", min_value=0),
        ],
    )
    monkeypatch.setattr(validation, "CHUNK_ROWS", chunk_rows)
    (outcome,) = validation.validate(warehouse, load_suites(tmp_path / "suites"), run_name="r")
    assert outcome.blocks
    failed = {failure.expectation_type: failure for failure in outcome.failures}
    assert failed["expect_column_values_to_be_between"].error
    # Chunks list the raised expectation first; the counts still belong to their own.
    assert failed["expect_column_values_to_be_in_set"].unexpected_count == ROWS + DUPLICATED


def test_results_become_data_docs_with_only_the_latest_run(
    warehouse: Settings, tmp_path: Path
) -> None:
    _suite(tmp_path / "suites")
    suites = load_suites(tmp_path / "suites")
    validation.validate(warehouse, suites, run_name="first-run")
    validation.validate(warehouse, suites, run_name="second-run")

    index = data_docs_index(warehouse.quality_dir)
    assert index.is_file()
    pages = [path.read_text() for path in index.parent.rglob("*.html")]
    assert any("second-run" in page for page in pages)
    assert not any("first-run" in page for page in pages)
    assert not any("dataContextId" in page for page in pages)
    assert "raw.orders" in index.read_text() or any("raw.orders" in page for page in pages)
    # GX's index needs scripts from the internet; the summary page does not.
    summary = (index.parent / "summary.html").read_text()
    assert '<tr class="blocks"><td><a href="validations/raw/orders/second-run/' in summary
    assert "amounts are not negative" in summary
    # A suite that is gone leaves no result behind.
    for path in (tmp_path / "suites" / "raw").glob("orders.*"):
        path.rename(path.with_name(path.name.replace("orders", "sales")))
    renamed = json.loads((tmp_path / "suites" / "raw" / "sales.json").read_text())
    renamed["name"] = "raw.sales"
    (tmp_path / "suites" / "raw" / "sales.json").write_text(json.dumps(renamed))
    validation.validate(warehouse, load_suites(tmp_path / "suites"), run_name="third-run")
    summary = (index.parent / "summary.html").read_text()
    assert "raw.sales" in summary
    assert "raw.orders" not in summary


def test_the_check_result_names_the_failure_its_rows_and_a_sample(
    warehouse: Settings, tmp_path: Path
) -> None:
    _suite(tmp_path / "suites")
    suites = load_suites(tmp_path / "suites")
    (outcome,) = validation.validate(warehouse, suites, run_name="run")
    result = check_result(outcome, warehouse)

    assert result.asset_key == dg.AssetKey(["raw", "orders"])
    assert result.check_name == "gx_raw_orders"
    assert not result.passed
    assert result.severity is dg.AssetCheckSeverity.ERROR
    assert "amounts are not negative" in result.description
    assert result.metadata["bad_rows"].value == 2 * DUPLICATED + BAD_AMOUNTS + 1
    sample = result.metadata["sample"].value["expect_column_values_to_be_between amount"]
    assert {"order_id": "O-00300", "amount": -1.5} in sample
    assert "| expect_column_values_to_be_unique | order_id | warning | 6 |" in (
        result.metadata["failures"].value
    )


def test_only_warnings_make_a_warning_that_does_not_block(
    warehouse: Settings, tmp_path: Path
) -> None:
    _write_suite(
        tmp_path / "suites",
        "raw",
        "orders",
        [gx.expectations.ExpectColumnValuesToBeUnique(column="order_id", severity="warning")],
    )
    (outcome,) = validation.validate(warehouse, load_suites(tmp_path / "suites"), run_name="run")
    result = check_result(outcome, warehouse)
    assert not outcome.blocks and outcome.warns
    assert not result.passed
    assert result.severity is dg.AssetCheckSeverity.WARN
    assert not outcome.suite.blocking


def test_a_dataset_query_is_pushed_down_with_the_reporting_currency(
    warehouse: Settings, tmp_path: Path
) -> None:
    path = _write_suite(
        tmp_path / "suites",
        "reconciliation",
        "orders_by_status",
        [
            gx.expectations.ExpectColumnValuesToBeInSet(column="currency", value_set=["EUR"]),
            gx.expectations.ExpectTableRowCountToEqual(value=2),
        ],
        key=["status"],
    )
    path.with_suffix(".sql").write_text(
        "select status, ${reporting_currency} as currency, count(*) as orders\n"
        "from raw.orders group by status\n"
    )
    settings = Settings(
        warehouse_path=warehouse.warehouse_path,
        quality_dir=warehouse.quality_dir,
        reporting_currency="EUR",
    )
    (outcome,) = validation.validate(settings, load_suites(tmp_path / "suites"), run_name="run")
    assert outcome.rows == 2
    assert not outcome.failures


def test_suites_share_views_and_a_dataset_filled_in_by_each(
    warehouse: Settings, tmp_path: Path
) -> None:
    suites_dir = tmp_path / "suites"
    (suites_dir / "_views").mkdir(parents=True)
    (suites_dir / "_views" / "won_orders.sql").write_text(
        "select * from raw.orders where status = 'won'\n"
    )
    (suites_dir / "_datasets").mkdir()
    (suites_dir / "_datasets" / "counts.sql").write_text(
        "select ${column} as value, count(*) as orders from ${relation} group by all\n"
    )
    for name, relation, expected in (("won", "won_orders", ["won"]), ("all", "raw.orders", [])):
        _write_suite(
            suites_dir,
            "marts",
            name,
            [gx.expectations.ExpectColumnValuesToBeInSet(column="value", value_set=expected)],
            key=["value"],
            dataset="counts.sql",
            dataset_parameters={"column": "status", "relation": relation},
        )
    every, won = validation.validate(warehouse, load_suites(suites_dir), run_name="run")
    assert (won.suite.name, won.rows, won.failures) == ("marts.won", 1, [])
    assert (every.suite.name, every.rows) == ("marts.all", 2)
    assert every.failures[0].unexpected_count == 2


def test_a_whole_table_expectation_refuses_a_dataset_split_into_chunks(
    warehouse: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_suite(
        tmp_path / "suites",
        "raw",
        "orders",
        [gx.expectations.ExpectTableRowCountToBeBetween(min_value=1)],
    )
    monkeypatch.setattr(validation, "CHUNK_ROWS", 300)
    with pytest.raises(SuiteError, match="looks at the whole table"):
        validation.validate(warehouse, load_suites(tmp_path / "suites"), run_name="run")


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda document: document.update(name="raw.other"), "must be named 'raw.orders'"),
        (lambda document: document["meta"].pop("salesdw"), "meta.salesdw"),
        (
            lambda document: document["expectations"].append(
                {"type": "expect_column_values_to_be_purple", "kwargs": {"column": "status"}}
            ),
            "not valid GX expectations",
        ),
        (lambda document: document.update(expectations=[]), "no expectations"),
    ],
)
def test_a_malformed_suite_is_refused_with_its_file_named(
    tmp_path: Path, change, message: str
) -> None:
    path = _suite(tmp_path / "suites")
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))
    with pytest.raises(SuiteError, match=message) as refusal:
        load_suite(path)
    assert str(path) in str(refusal.value)


def test_a_dataset_with_a_lone_dollar_sign_is_refused_at_load(tmp_path: Path) -> None:
    path = _suite(tmp_path / "suites")
    path.with_suffix(".sql").write_text(
        "select order_id from raw.orders where regexp_matches(order_id, '^O-[0-9]+$')\n"
    )
    with pytest.raises(SuiteError, match=r"a lone \$.*write \$\$") as refusal:
        load_suite(path)
    assert str(path.with_suffix(".sql")) in str(refusal.value)
