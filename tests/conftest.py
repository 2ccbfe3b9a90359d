"""Shared fixtures: dbt runs of the tests keep their compiled files and logs out of the
developer's ``target/`` and ``logs/``, and validations their results and Data Docs out
of ``warehouse/quality``."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.raw.contract import TABLES
from orchestration.raw.ingest import ingest
from orchestration.settings import Settings
from orchestration.transform import DbtOutcome, build


@pytest.fixture(scope="session", autouse=True)
def dbt_scratch_paths(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    scratch = tmp_path_factory.mktemp("dbt")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DBT_TARGET_PATH", str(scratch / "target"))
        patch.setenv("DBT_LOG_PATH", str(scratch / "logs"))
        patch.setenv("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
        patch.setenv("DO_NOT_TRACK", "1")
        patch.setenv("GX_ANALYTICS_ENABLED", "false")
        patch.setenv("SALESDW_QUALITY_DIR", str(scratch / "quality"))
        yield


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, dbt_scratch_paths: None
) -> tuple[Settings, DbtOutcome]:
    """A small demo company (4 managers, 14 months, so that year-on-year KPIs have
    values) through ingestion and ``dbt build``, shared by the tests that read the
    warehouse and the marts."""
    root = tmp_path_factory.mktemp("built")
    settings = Settings(landing_dir=root / "landing", warehouse_path=root / "warehouse.duckdb")
    generate(
        GeneratorConfig(
            out=settings.landing_dir, scale=0.1, seed=11, start=date(2024, 1, 1), months=14
        )
    )
    ingest(settings, TABLES)
    return settings, build(settings)
