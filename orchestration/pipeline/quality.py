"""The Great Expectations suites as Dagster asset checks, one per suite on the asset it
guards: blocking when the suite has a critical expectation, so a critical failure stops
everything downstream, publication included.

Two check steps: the raw layer's suites right after ingestion (before dbt reads what
they guard) and every other suite after the build. Each step validates its suites
read-only in the warehouse pool, keeps their results and rebuilds the Data Docs.
"""

from collections.abc import Iterator, Sequence

import dagster as dg
from great_expectations.expectations.metadata_types import FailureSeverity

from orchestration.pipeline.resources import WAREHOUSE_POOL, WarehouseBusyRetry
from orchestration.quality.findings import Verdict
from orchestration.quality.gx_project import SUMMARY_PAGE, data_docs_index
from orchestration.quality.suites import Suite, load_suites
from orchestration.quality.validation import SuiteOutcome, validate
from orchestration.settings import Settings

RAW_LAYER = "raw"
_SAMPLE_IN_METADATA = 10


def check_key(suite: Suite) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(list(suite.asset)), suite.check_name)


def _spec(suite: Suite) -> dg.AssetCheckSpec:
    return dg.AssetCheckSpec(
        name=suite.check_name,
        asset=dg.AssetKey(list(suite.asset)),
        blocking=suite.blocking,
        description=f"Great Expectations suite `{suite.name}`: {suite.description}",
        metadata={"suite": suite.path.relative_to(suite.path.parents[1]).as_posix()},
    )


def _failures_table(outcome: SuiteOutcome) -> str:
    lines = [
        "| expectation | column | severity | bad rows | of rows | what it means |",
        "|---|---|---|---|---|---|",
    ]
    for failure in outcome.failures:
        lines.append(
            f"| {failure.expectation_type} | {failure.column or ''} | {failure.severity.value} "
            f"| {failure.unexpected_count if failure.unexpected_count is not None else ''} "
            f"| {failure.element_count if failure.element_count is not None else ''} "
            f"| {(failure.error or failure.description).replace('|', '/')} |"
        )
    return "\n".join(lines)


def check_result(outcome: SuiteOutcome, settings: Settings) -> dg.AssetCheckResult:
    """The suite's outcome as Dagster shows it: ERROR when a critical expectation failed,
    WARN when only warnings did, with what failed, how many rows and which."""
    failures = outcome.failures
    counted = [failure for failure in failures if failure.severity is not FailureSeverity.INFO]
    metadata: dict[str, dg.RawMetadataValue] = {
        "suite": outcome.suite.name,
        "rows_validated": outcome.rows,
        "chunks": outcome.chunks,
        "seconds": round(outcome.seconds, 2),
        "expectations": len(outcome.result.results),
        "failed_expectations": len(failures),
        "bad_rows": sum(failure.unexpected_count or 0 for failure in counted),
        "data_docs": dg.MetadataValue.path(
            str(data_docs_index(settings.quality_dir).with_name(SUMMARY_PAGE))
        ),
    }
    if failures:
        metadata["failures"] = dg.MetadataValue.md(_failures_table(outcome))
        metadata["sample"] = dg.MetadataValue.json(
            {
                f"{failure.expectation_type} {failure.column or ''}".strip(): failure.sample[
                    :_SAMPLE_IN_METADATA
                ]
                for failure in failures
            }
        )
    return dg.AssetCheckResult(
        asset_key=dg.AssetKey(list(outcome.suite.asset)),
        check_name=outcome.suite.check_name,
        passed=outcome.verdict is Verdict.PASSED,
        severity=(dg.AssetCheckSeverity.ERROR if outcome.blocks else dg.AssetCheckSeverity.WARN),
        description="; ".join(failure.summary() for failure in failures) or None,
        metadata=metadata,
    )


def suite_checks(name: str, suites: Sequence[Suite]) -> dg.AssetChecksDefinition:
    """One check step validating ``suites``, any subset of them per run."""
    by_key = {check_key(suite): suite for suite in suites}

    @dg.multi_asset_check(
        name=name,
        specs=[_spec(suite) for suite in suites],
        can_subset=True,
        pool=WAREHOUSE_POOL,
        description="Great Expectations suites on data read read-only from the warehouse",
    )
    def run_suites(context: dg.AssetCheckExecutionContext) -> Iterator[dg.AssetCheckResult]:
        settings = Settings()
        selected = [by_key[key] for key in by_key if key in context.selected_asset_check_keys]
        with WarehouseBusyRetry(context.log):
            outcomes = validate(settings, selected, run_name=context.run.run_id)
        for outcome in outcomes:
            yield check_result(outcome, settings)

    return run_suites


def quality_checks(suites: Sequence[Suite] | None = None) -> list[dg.AssetChecksDefinition]:
    """The raw layer's suites, then every other suite, as two check steps."""
    suites = load_suites() if suites is None else suites
    raw = [suite for suite in suites if suite.layer == RAW_LAYER]
    built = [suite for suite in suites if suite.layer != RAW_LAYER]
    return [
        suite_checks(name, group)
        for name, group in (("raw_data_quality", raw), ("warehouse_data_quality", built))
        if group
    ]


def blocking_keys(checks: Sequence[dg.AssetChecksDefinition]) -> list[dg.AssetCheckKey]:
    return [spec.key for definition in checks for spec in definition.check_specs if spec.blocking]
