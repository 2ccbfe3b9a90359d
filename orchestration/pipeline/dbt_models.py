"""The dbt project as Dagster assets: every seed and model, grouped by layer, with
lineage from the raw tables into dbt's sources and dbt's tests as asset checks.

A test of severity ``error`` is a blocking check: it fails the build step, so nothing
downstream of it, the publication of the marts included, runs.
"""

import os
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliResource,
    DbtProject,
    dbt_assets,
)

from orchestration.pipeline.resources import WAREHOUSE_POOL, WarehouseBusyRetry
from orchestration.raw.warehouse import RAW_SCHEMA, connect
from orchestration.settings import PROJECT_ROOT, Settings
from orchestration.transform import TELEMETRY_OFF, dbt_environment, target_path

LAYER_GROUPS = {"reference": "reference", "staging": "staging", "intermediate": "intermediate"}
"""dbt schema -> asset group; the marts' schema is their group too."""


DBT_EXECUTABLE = Path(sys.executable).with_name("dbt")
"""dbt of this environment, found without an activated virtual environment."""


def dbt_resource() -> DbtCliResource:
    return DbtCliResource(
        project_dir=str(PROJECT_ROOT),
        profiles_dir=str(PROJECT_ROOT),
        dbt_executable=str(DBT_EXECUTABLE),
    )


PROJECT_SOURCES = ("dbt_project.yml", "profiles.yml", "models", "macros", "seeds", "tests/dbt")
"""What a parse reads: a change to any of it makes the manifest stale."""


def manifest_is_stale(project: DbtProject) -> bool:
    """Whether the manifest is missing or older than a file or folder of the project,
    e.g. after a `git pull` brought new models or a model was edited under ``dagster
    dev``: assets built from it would not know them. A folder's time changes when a
    file in it is added, removed or renamed."""
    if not project.manifest_path.exists():
        return True
    parsed_at = project.manifest_path.stat().st_mtime
    for name in PROJECT_SOURCES:
        source = project.project_dir / name
        paths = [source, *source.rglob("*")] if source.is_dir() else [source]
        if any(path.stat().st_mtime > parsed_at for path in paths):
            return True
    return False


def prepare_manifest(project: DbtProject) -> None:
    """Parse the project when the manifest is stale: every process that loads the
    definitions (``dagster dev``'s code server, each run's worker, ``salesdw run``)
    would otherwise parse it again, about ten seconds each."""
    if not manifest_is_stale(project):
        return
    for variable, value in TELEMETRY_OFF.items():
        # dbt parse runs in a child process that inherits this environment.
        os.environ.setdefault(variable, value)
    dbt_resource().cli(["parse", "--quiet"], target_path=project.target_path).wait()


def dbt_project() -> DbtProject:
    """The dbt project at the repository root; dagster's dbt runs keep their manifest
    and logs in ``target/dagster`` (``DBT_TARGET_PATH`` moves ``target``)."""
    project = DbtProject(
        project_dir=PROJECT_ROOT, profiles_dir=PROJECT_ROOT, target_path=target_path() / "dagster"
    )
    prepare_manifest(project)
    return project


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = os.environ.copy()
    os.environ.update(values)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset keys name the warehouse relation (``marts/fct_deals``); sources resolve
    to the raw tables the ingestion materialises (``raw/crm__deals``)."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey([RAW_SCHEMA, dbt_resource_props["identifier"]])
        relation = dbt_resource_props.get("alias") or dbt_resource_props["name"]
        return dg.AssetKey([dbt_resource_props["schema"], relation])

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema = dbt_resource_props.get("schema", "")
        return LAYER_GROUPS.get(schema, schema)


TRANSLATOR = WarehouseTranslator(DagsterDbtTranslatorSettings(enable_asset_checks=True))
PROJECT = dbt_project()


class DbtBuildConfig(dg.Config):
    full_refresh: bool = False
    """Rebuild the incremental facts from scratch instead of applying what changed."""


@dbt_assets(
    manifest=PROJECT.manifest_path,
    project=PROJECT,
    dagster_dbt_translator=TRANSLATOR,
    name="dbt_build",
    pool=WAREHOUSE_POOL,
)
def dbt_build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, config: DbtBuildConfig
) -> Iterator[Any]:
    """``dbt build`` of the selected seeds and models with their tests, in dependency
    order, reading the project settings from the same ``SALESDW_*`` variables as the
    ingestion."""
    settings = Settings()
    # The sources live in the raw schema: create it (empty) on a fresh warehouse. The
    # same open tells whether another process holds the file, before dbt starts.
    with WarehouseBusyRetry(context.log):
        connect(settings.warehouse_path).close()
    arguments = ["build", *(["--full-refresh"] if config.full_refresh else [])]
    # dagster-dbt starts dbt with this process's environment.
    with _environment(dbt_environment(settings)):
        invocation = dbt.cli(arguments, context=context, target_path=PROJECT.target_path)
    yield from invocation.stream()


def mart_keys(assets: dg.AssetsDefinition) -> list[dg.AssetKey]:
    """The tables of the ``marts`` schema among ``assets``: what the serving file holds."""
    return sorted((key for key in assets.keys if key.path[0] == "marts"), key=lambda key: key.path)


def blocking_check_keys(assets: dg.AssetsDefinition) -> list[dg.AssetCheckKey]:
    """dbt tests of severity ``error`` among ``assets``' checks."""
    return [spec.key for spec in assets.check_specs if spec.blocking]
