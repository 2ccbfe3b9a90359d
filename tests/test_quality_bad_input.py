"""Bad input through the whole pipeline: each kind of bad data ends the way the suites
say it must (row rejected with its reason, a blocking check that stops publication, or
a warning), and in every case nothing already published is lost.

A whole run of the job costs about a minute even for a small company, so the kinds of
bad input share three runs: the first run of a company whose extract misses one working
day (it publishes, with a warning); the messy extracts, added to a copy of that state
(nothing published); and a duplicated extract, a zero rate and a plan without data,
added together to another copy (published, each with its warning)."""

import hashlib
import json
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.demo.messy import MANIFEST
from orchestration.raw.checks import Violation
from orchestration.settings import Settings

SERVING = dg.AssetKey(["serving", "marts_duckdb"])
LEDGER_CHECK = dg.AssetCheckKey(dg.AssetKey(["raw", "ingest_ledger"]), "gx_raw_ingest_ledger")


def _config(landing: Path, *, messy: bool = False) -> GeneratorConfig:
    return GeneratorConfig(
        out=landing, scale=0.05, seed=5, start=date(2024, 1, 1), months=6, messy=messy
    )


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Company:
    settings: Settings
    instance: dg.DagsterInstance
    defs: dg.Definitions

    def run(self) -> dg.ExecuteInProcessResult:
        job = self.defs.resolve_job_def("salesdw_pipeline")
        return job.execute_in_process(instance=self.instance, raise_on_error=False)

    def query(self, sql: str, database: Path | None = None) -> list[tuple]:
        path = database or self.settings.warehouse_path
        with duckdb.connect(str(path), read_only=True) as connection:
            return connection.execute(sql).fetchall()


def _use(root: Path, patch: pytest.MonkeyPatch) -> Settings:
    patch.setenv("SALESDW_LANDING_DIR", str(root / "landing"))
    patch.setenv("SALESDW_WAREHOUSE_PATH", str(root / "warehouse.duckdb"))
    patch.setenv("SALESDW_MARTS_PATH", str(root / "serving" / "marts.duckdb"))
    patch.setenv("SALESDW_QUALITY_DIR", str(root / "quality"))
    return Settings()


@pytest.fixture(scope="module")
def defs(dbt_scratch_paths: None) -> dg.Definitions:
    # Imported here, not at collection: the dbt manifest goes to the scratch target.
    from orchestration.definitions import defs  # noqa: PLC0415

    return defs


@dataclass
class FirstRun:
    root: Path
    result: dg.ExecuteInProcessResult
    missing_day: date


def _drop_a_working_day(landing: Path) -> date:
    """Removes every activity booked on one Monday to Wednesday, as if its extract was
    lost: a day the demo company works, since it has activities."""
    extract = sorted((landing / "crm" / "activities").glob("*.parquet"))[2]
    data = pq.read_table(extract)
    days = pc.cast(data["created_at"], pa.date32())
    day = next(day for day in pc.unique(days).to_pylist() if day.isoweekday() <= 3)
    pq.write_table(data.filter(pc.not_equal(days, pa.scalar(day))), extract)
    return day


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory, defs: dg.Definitions) -> FirstRun:
    """A company's first run, published: the state the other scenarios start from."""
    root = tmp_path_factory.mktemp("published")
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        settings = _use(root, patch)
        generate(_config(settings.landing_dir))
        missing_day = _drop_a_working_day(settings.landing_dir)
        result = Company(settings, instance, defs).run()
    return FirstRun(root, result, missing_day)


def _copy(first_run: FirstRun, root: Path, patch: pytest.MonkeyPatch) -> Settings:
    shutil.copytree(first_run.root, root)
    return _use(root, patch)


def _failed(result: dg.ExecuteInProcessResult) -> dict[dg.AssetCheckKey, dg.AssetCheckEvaluation]:
    return {
        dg.AssetCheckKey(check.asset_key, check.check_name): check
        for check in result.get_asset_check_evaluations()
        if not check.passed
    }


def _published(result: dg.ExecuteInProcessResult) -> bool:
    return SERVING in {event.asset_key for event in result.get_asset_materialization_events()}


def _revenue(company: Company) -> float:
    [(revenue,)] = company.query(
        "select sum(revenue) from marts.kpi_company_period where period_grain = 'month'",
        company.settings.marts_path,
    )
    return float(revenue)


# --- messy extracts: every kind of violation the generator injects ------------------


@dataclass
class MessyRun:
    company: Company
    result: dg.ExecuteInProcessResult
    manifest: list[dict]
    served_before: str


@pytest.fixture(scope="module")
def messy_run(
    first_run: FirstRun, tmp_path_factory: pytest.TempPathFactory, defs: dg.Definitions
) -> Iterator[MessyRun]:
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        settings = _copy(first_run, tmp_path_factory.mktemp("messy") / "company", patch)
        served_before = _sha256(settings.marts_path)
        generate(_config(settings.landing_dir, messy=True))
        manifest = json.loads((settings.landing_dir / MANIFEST).read_text())
        company = Company(settings, instance, defs)
        yield MessyRun(company, company.run(), manifest, served_before)


def test_messy_extracts_block_publication_and_keep_the_served_file(messy_run: MessyRun) -> None:
    result = messy_run.result
    assert not result.success
    assert not _published(result)
    assert _sha256(messy_run.company.settings.marts_path) == messy_run.served_before
    ledger = _failed(result)[LEDGER_CHECK]
    assert ledger.severity is dg.AssetCheckSeverity.ERROR
    assert "refused" in ledger.description
    # Nothing downstream of the refused raw data was rebuilt either.
    materialised = {event.asset_key for event in result.get_asset_materialization_events()}
    assert not any(key.path[0] == "marts" for key in materialised)


def test_the_refused_files_and_their_reasons_are_in_the_checks_sample(
    messy_run: MessyRun,
) -> None:
    ledger = _failed(messy_run.result)[LEDGER_CHECK]
    sample = json.dumps(ledger.metadata["sample"].value)
    refused = [entry for entry in messy_run.manifest if entry["row_number"] is None]
    assert {entry["violation"] for entry in refused} == {
        Violation.UNREADABLE,
        Violation.MISSING_COLUMN,
    }
    for entry in refused:
        assert entry["file"] in sample, entry
    assert ledger.metadata["bad_rows"].value >= len(refused)


ROW_VIOLATIONS = sorted(
    {Violation.MISSING_VALUE, Violation.UNPARSEABLE, Violation.BAD_ENUM}
    | {Violation.UNKNOWN_REFERENCE, Violation.NO_FX_RATE, Violation.NEGATIVE_AMOUNT}
    | {Violation.DUPLICATE_KEY}
)


@pytest.mark.parametrize("violation", ROW_VIOLATIONS)
def test_each_bad_row_is_rejected_with_its_reason_and_named_by_the_check(
    messy_run: MessyRun, violation: Violation
) -> None:
    entries = [entry for entry in messy_run.manifest if entry["violation"] == violation]
    assert entries
    rejects = {
        (file, row): reason
        for file, row, reason in messy_run.company.query(
            "select source_file, row_number, reason from raw.rejects"
        )
    }
    ledger = _failed(messy_run.result)[LEDGER_CHECK]
    failures = ledger.metadata["failures"].value
    sample = json.dumps(ledger.metadata["sample"].value)
    for entry in entries:
        reason = rejects[(entry["file"], entry["row_number"])]
        assert reason.startswith(f"{violation}: "), reason
        # A file of mostly bad rows blocks: the check names the file and the reason.
        assert entry["file"] in sample, entry
    assert "reject_share" in failures and "critical" in failures


def test_the_data_docs_say_why(messy_run: MessyRun) -> None:
    docs = messy_run.company.settings.quality_dir / "data_docs"
    pages = "\n".join(path.read_text() for path in docs.rglob("*.html"))
    assert (docs / "index.html").is_file()
    assert "raw.ingest_ledger" in pages
    assert "deals_truncated.parquet" in pages
    summary = (docs / "summary.html").read_text()
    assert '<tr class="blocks"><td><a href="validations/raw/ingest_ledger/' in summary


# --- a missing day, a duplicated extract, a zero rate, a plan without data ----------


def test_a_whole_working_day_missing_warns_and_publishes(first_run: FirstRun) -> None:
    result = first_run.result
    assert result.success and _published(result)
    (warning,) = _failed(result).values()
    assert (warning.asset_key, warning.check_name) == (
        dg.AssetKey(["raw", "crm__activities"]),
        "gx_raw_activity_days",
    )
    assert warning.severity is dg.AssetCheckSeverity.WARN
    assert warning.metadata["sample"].value == {
        "expect_column_values_to_be_between activities": [
            {"activities": 0, "working_day": f"{first_run.missing_day.isoformat()}T00:00:00"}
        ]
    }


@dataclass
class WarnedRun:
    company: Company
    result: dg.ExecuteInProcessResult
    revenue_before: float
    failed: dict[dg.AssetCheckKey, dg.AssetCheckEvaluation]


def _resend_first_deals_extract(landing: Path) -> None:
    deals = landing / "crm" / "deals"
    first = sorted(deals.glob("*.parquet"))[0]
    shutil.copy(first, deals / f"resent_{first.name}")


def _resend_rates_with_one_zero(landing: Path) -> None:
    """A re-sent extract of every rate in which one says 0: well under 1% of it."""
    folder = landing / "finance" / "fx_rates"
    rates = pa.concat_tables(pq.read_table(path) for path in sorted(folder.glob("*")))
    rate = rates["rate_to_base"].to_pylist()
    assert len(rate) > 100
    rate[len(rate) // 2] = 0
    resent = rates.set_column(
        rates.column_names.index("rate_to_base"),
        "rate_to_base",
        pa.array(rate, rates.schema.field("rate_to_base").type),
    )
    pq.write_table(resent, folder / "zz_resent_rates.parquet")


def _plan_a_silent_manager(company: Company) -> None:
    [(team_id, plan_month, channel)] = company.query(
        "select m.team_id, p.plan_month, p.channel_code from raw.finance__sales_plans p "
        "join raw.crm__managers m using (manager_id) order by p.plan_month desc limit 1"
    )
    landing = company.settings.landing_dir
    (landing / "crm" / "managers" / "zz_new_manager.csv").write_text(
        "manager_id,full_name,email,team_id,role,hired_on,fired_on,updated_at\n"
        f"MGR-SILENT-1,Silent Manager,silent@example.com,{team_id},manager,"
        "2024-01-01,,2024-01-01T09:00:00\n"
    )
    (landing / "finance" / "sales_plans" / "zz_new_plan.csv").write_text(
        "plan_month,manager_id,channel_code,revenue_plan,deals_plan,margin_plan,currency\n"
        f"{plan_month},MGR-SILENT-1,{channel or ''},500000.00,5,100000.00,"
        f"{company.settings.reporting_currency}\n"
    )


@pytest.fixture(scope="module")
def warned_run(
    first_run: FirstRun, tmp_path_factory: pytest.TempPathFactory, defs: dg.Definitions
) -> Iterator[WarnedRun]:
    with pytest.MonkeyPatch.context() as patch, dg.instance_for_test() as instance:
        settings = _copy(first_run, tmp_path_factory.mktemp("warned") / "company", patch)
        company = Company(settings, instance, defs)
        revenue_before = _revenue(company)
        _resend_first_deals_extract(settings.landing_dir)
        _resend_rates_with_one_zero(settings.landing_dir)
        _plan_a_silent_manager(company)
        result = company.run()
        yield WarnedRun(company, result, revenue_before, _failed(result))


def test_warnings_publish_and_change_no_number(warned_run: WarnedRun) -> None:
    assert warned_run.result.success
    assert _published(warned_run.result)
    assert {check.severity for check in warned_run.failed.values()} == {dg.AssetCheckSeverity.WARN}
    assert _revenue(warned_run.company) == warned_run.revenue_before


def test_a_duplicated_extract_warns_with_both_files_named(warned_run: WarnedRun) -> None:
    warning = warned_run.failed[
        dg.AssetCheckKey(dg.AssetKey(["raw", "crm__deals"]), "gx_raw_crm__deals")
    ]
    sample = json.dumps(warning.metadata["sample"].value)
    assert "crm/deals/resent_deals_2024-01.parquet" in sample
    assert "first delivered in crm/deals/deals_2024-01.parquet" in sample


def test_a_zero_fx_rate_is_rejected_with_its_reason(warned_run: WarnedRun) -> None:
    [(reason,)] = warned_run.company.query(
        "select reason from raw.rejects where source_file like '%zz_resent_rates%'"
    )
    assert reason.startswith("out_of_range: rate_to_base"), reason
    warning = warned_run.failed[LEDGER_CHECK]
    assert "out_of_range" in json.dumps(warning.metadata["sample"].value)


def test_a_manager_with_a_plan_but_no_data_warns(warned_run: WarnedRun) -> None:
    warning = warned_run.failed[
        dg.AssetCheckKey(
            dg.AssetKey(["marts", "fct_sales_plans"]), "gx_reconciliation_plans_without_data"
        )
    ]
    assert "MGR-SILENT-1" in json.dumps(warning.metadata["sample"].value)
