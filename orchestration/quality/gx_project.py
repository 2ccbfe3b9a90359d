"""The Great Expectations project the validations run in: a file context under the
quality folder (``SALESDW_QUALITY_DIR``, default ``warehouse/quality``), which keeps the
latest result of every suite and renders them as the static Data Docs site.

The suites themselves live in the repository's ``expectations/``; they are copied into
the context on every validation, so the context holds nothing that is not output.
"""

from __future__ import annotations

import html
import json
import logging
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import great_expectations as gx
import pandas as pd
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
    ValidationResultIdentifier,
)
from great_expectations.datasource.fluent import PandasDatasource
from great_expectations.validator.v1_validator import Validator

from orchestration.quality.findings import Verdict, failures_of, verdict_of
from orchestration.quality.suites import Suite

logger = logging.getLogger(__name__)
# This GX module sets its own logger to INFO when imported, to announce temporary folders.
logging.getLogger("great_expectations.data_context.types.base").setLevel(logging.WARNING)

DATASOURCE = "warehouse"
_WHOLE_FRAME = "whole_frame"
_SITE = "local_site"
_TRACKED_LOGO = re.compile(r"(/logo-long\.png)\?[^\"']*")
# Enough to show a person what is wrong without carrying thousands of rows around.
SAMPLE_ROWS = 20
SUMMARY_PAGE = "summary.html"


def data_docs_index(quality_dir: Path) -> Path:
    return quality_dir / "data_docs" / "index.html"


class GxValidator:
    """Runs a suite over a pandas frame in an in-memory context, one pandas asset per
    suite; nothing is written, so several processes can validate at once."""

    def __init__(self) -> None:
        # GX would otherwise phone home on every context it creates.
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        context = gx.get_context(mode="ephemeral")
        context.variables.progress_bars = ProgressBarsConfig(globally=False)
        self._datasource: PandasDatasource = context.data_sources.add_pandas(DATASOURCE)

    def validate(
        self, suite: Suite, frame: pd.DataFrame, parameters: dict[str, object]
    ) -> ExpectationSuiteValidationResult:
        """Run ``suite``'s expectations over ``frame``; a sample of failing rows comes
        back named by the suite's key."""
        validator = Validator(
            batch_definition=self._batch_definition(suite.name),
            batch_parameters={"dataframe": frame},
            result_format={
                "result_format": "SUMMARY",
                "partial_unexpected_count": SAMPLE_ROWS,
                "unexpected_index_column_names": list(suite.key),
            },
        )
        result = validator.validate_expectation_suite(suite.gx_suite, parameters)
        result.meta["active_batch_id"] = validator.active_batch_id
        return result

    def _batch_definition(self, asset_name: str) -> gx.core.batch_definition.BatchDefinition:
        names = {asset.name for asset in self._datasource.assets}
        if asset_name in names:
            asset = self._datasource.get_asset(asset_name)
            return asset.get_batch_definition(_WHOLE_FRAME)
        asset = self._datasource.add_dataframe_asset(asset_name)
        return asset.add_batch_definition_whole_dataframe(_WHOLE_FRAME)


class GxProject:
    """The file context under the quality folder: the kept results and the Data Docs."""

    def __init__(self, quality_dir: Path) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
        quality_dir.mkdir(parents=True, exist_ok=True)
        self._docs_dir = data_docs_index(quality_dir).parent
        self._context: FileDataContext = gx.get_context(
            mode="file", project_root_dir=str(quality_dir)
        )

    def save(
        self, suite: Suite, result: ExpectationSuiteValidationResult, run_name: str, at: datetime
    ) -> None:
        """Keep ``result`` as the suite's latest, replacing the results of earlier runs."""
        self._context.suites.add_or_update(suite.gx_suite)
        store = self._context.validation_results_store
        suite_id = ExpectationSuiteIdentifier(name=suite.name)
        for key in store.list_keys():
            if key.expectation_suite_identifier.name == suite.name:
                store.remove_key(key)
        run_id = RunIdentifier(run_name=run_name, run_time=at)
        result.meta["run_id"] = run_id
        result.meta["validation_time"] = at
        store.store_validation_results(
            suite_validation_result=result,
            suite_validation_result_identifier=ValidationResultIdentifier(
                expectation_suite_identifier=suite_id,
                run_id=run_id,
                batch_identifier=result.meta["active_batch_id"],
            ),
            expectation_suite_identifier=suite_id,
        )

    def forget_all_but(self, suite_names: set[str]) -> None:
        """Drop the results of suites that no longer exist (removed or renamed)."""
        store = self._context.validation_results_store
        for key in store.list_keys():
            if key.expectation_suite_identifier.name not in suite_names:
                store.remove_key(key)

    def build_data_docs(self) -> Path:
        """Render the kept results afresh, so pages of replaced results do not linger."""
        shutil.rmtree(self._docs_dir, ignore_errors=True)
        self._context.update_data_docs_site(
            _SITE,
            {
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(self._docs_dir),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
        self._context.build_data_docs(site_names=[_SITE])
        self._untrack_pages()
        self._write_summary()
        return self._docs_dir / "index.html"

    def _untrack_pages(self) -> None:
        """GX's pages load its logo with this project's context id in the address, which
        would tell GX who opened them; the logo alone is enough."""
        for page in self._docs_dir.rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            untracked = _TRACKED_LOGO.sub(r"\1", text)
            if untracked != text:
                page.write_text(untracked, encoding="utf-8")

    def _write_summary(self) -> None:
        """``summary.html``: every suite's latest outcome on one page of plain HTML.

        GX's own index builds its tables with scripts from public CDNs, so without
        internet it shows nothing; this page and GX's result pages read anywhere."""
        store = self._context.validation_results_store
        keys = sorted(store.list_keys(), key=lambda key: key.expectation_suite_identifier.name)
        rows = [_summary_row(key.to_tuple(), store.get(key)) for key in keys]
        # What stopped publication first, then the warnings, then the rest.
        rows.sort(key=lambda row: list(Verdict).index(row[0]))
        (self._docs_dir / SUMMARY_PAGE).write_text(
            _SUMMARY_TEMPLATE.format(rows="\n".join(row for _, row in rows)), encoding="utf-8"
        )


_SAMPLE_IN_SUMMARY = 3
_SUMMARY_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>salesdw data quality</title>
<style>body{{font-family:sans-serif;margin:2em}}table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
.blocks{{background:#fdd}}.warns{{background:#ffd}}.passed{{background:#dfd}}</style>
</head><body><h1>Data quality: the latest validation of every suite</h1>
<p>blocks: a critical expectation failed and nothing was published;
warns: only warnings failed; <a href="index.html">GX Data Docs</a> (needs internet for
its styles).</p>
<table><tr><th>suite</th><th>outcome</th><th>validated at</th><th>what failed</th></tr>
{rows}
</table></body></html>
"""


def _summary_row(key: tuple[str, ...], result: ExpectationSuiteValidationResult) -> tuple[str, str]:
    """The suite's outcome and its row: what failed, with a few of the bad rows."""
    failures = failures_of(result)
    outcome = verdict_of(failures)
    page = "validations/" + "/".join(quote(part) for part in key) + ".html"
    findings = "<br>".join(
        html.escape(failure.summary())
        + "".join(
            f"<br><small>{html.escape(json.dumps(row, default=str))}</small>"
            for row in failure.sample[:_SAMPLE_IN_SUMMARY]
        )
        for failure in failures
    )
    return outcome, (
        f'<tr class="{outcome}"><td><a href="{page}">{html.escape(result.suite_name)}</a></td>'
        f"<td>{outcome}</td><td>{_when(result.meta.get('validation_time'))}</td>"
        f"<td>{findings}</td></tr>"
    )


def _when(validated_at: object) -> str:
    """GX keeps the time as ISO text once the result has been stored."""
    if isinstance(validated_at, str):
        validated_at = datetime.fromisoformat(validated_at)
    if isinstance(validated_at, datetime):
        return f"{validated_at.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    return ""
