"""The suites in ``expectations/<layer>/<name>.json``, in Great Expectations' own
serialised format, each with what it validates.

A suite's ``meta.salesdw`` names the Dagster asset it guards and the row identity of
its dataset. The dataset is ``<name>.sql`` beside the suite when there is one (a DuckDB
query, for joins and aggregates pushed down into the warehouse), or a query several
suites share (``dataset``, under ``expectations/_datasets/``, with the suite's own
``dataset_parameters``), otherwise the guarded table itself, reduced to the columns the
expectations read. The queries in ``expectations/_views/`` are temporary views every
dataset can read.
"""

from __future__ import annotations

import fnmatch
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from string import Template
from typing import Any

from great_expectations.core import ExpectationSuite
from great_expectations.expectations.expectation import (
    ColumnMapExpectation,
    ColumnPairMapExpectation,
    Expectation,
    MulticolumnMapExpectation,
)
from great_expectations.expectations.metadata_types import FailureSeverity

from orchestration.raw.checks import quote_identifier, quote_literal
from orchestration.settings import PROJECT_ROOT, Settings

EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
_SETTINGS_PLACEHOLDERS = {"reporting_currency", "reporting_time_zone", "seeds_dir"}
DATASETS_FOLDER = "_datasets"
VIEWS_FOLDER = "_views"

_COLUMN_ARGUMENTS = ("column", "column_A", "column_B")
_COLUMN_LIST_ARGUMENTS = ("column_list",)
_UNIQUENESS = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
_CHECK_NAME = re.compile(r"[^A-Za-z0-9_]")


class SuiteError(ValueError):
    """A suite file that cannot be validated as written; the message names the file."""


@dataclass(frozen=True)
class Suite:
    """One suite file and the dataset it validates."""

    path: Path
    gx_suite: ExpectationSuite = field(compare=False, repr=False)
    asset: tuple[str, ...]
    key: tuple[str, ...]
    description: str
    dataset_sql: str | None = field(default=None, repr=False)
    dataset_parameters: dict[str, str] = field(default_factory=dict, compare=False)
    """SQL text for the ``${name}``s of a shared dataset, such as the table to read."""
    materialize: bool = True
    """Run the dataset's query once into a temporary table before reading it in chunks;
    worth it for joins, not for a plain scan of a table larger than memory."""

    @property
    def name(self) -> str:
        """``raw.crm__deals``: the suite's name in GX and in the Data Docs."""
        return self.gx_suite.name

    @property
    def layer(self) -> str:
        return self.path.parent.name

    @property
    def check_name(self) -> str:
        """The Dagster asset check's name: ``gx_raw_crm__deals``."""
        return "gx_" + _CHECK_NAME.sub("_", f"{self.layer}_{self.path.stem}")

    @property
    def expectations(self) -> list[Expectation]:
        return list(self.gx_suite.expectations)

    @property
    def blocking(self) -> bool:
        """Whether any expectation is critical: its failure stops publication."""
        return any(
            expectation.severity is FailureSeverity.CRITICAL for expectation in self.expectations
        )

    def columns(self) -> tuple[str, ...]:
        """The key, then every column an expectation reads, each once."""
        names = list(self.key)
        for expectation in self.expectations:
            names.extend(_columns_of(expectation))
        return tuple(dict.fromkeys(names))

    def dataset(self, settings: Settings) -> str:
        """The query whose rows the suite validates. Its SQL may name the reporting
        currency and time zone as ``${reporting_currency}`` and ``${reporting_time_zone}``,
        and the folder of the seeds (read before dbt loads them) as ``${seeds_dir}``."""
        if self.dataset_sql is not None:
            return fill_in(self.dataset_sql, settings, self.dataset_parameters)
        relation = ".".join(quote_identifier(part) for part in self.asset)
        selected = ", ".join(quote_identifier(name) for name in self.columns())
        return f"select {selected} from {relation}"

    def check_chunkable(self) -> None:
        """Refuse expectations whose answer changes when the rows are split into chunks
        by the key: anything not row by row, and uniqueness of anything but the key."""
        for expectation in self.expectations:
            if not isinstance(
                expectation,
                ColumnMapExpectation | ColumnPairMapExpectation | MulticolumnMapExpectation,
            ):
                raise SuiteError(
                    f"{self.path}: {expectation.expectation_type} looks at the whole table, "
                    "but the dataset is too large for one chunk; compute it in the "
                    "dataset's SQL instead"
                )
            if expectation.expectation_type in _UNIQUENESS and set(_columns_of(expectation)) != set(
                self.key
            ):
                raise SuiteError(
                    f"{self.path}: uniqueness is checked chunk by chunk, so only the key "
                    f"{list(self.key)} can be checked for it"
                )


def fill_in(sql: str, settings: Settings, parameters: dict[str, str] | None = None) -> str:
    """``sql`` with the settings' ``${name}``s as literals and ``parameters`` as given."""
    return Template(sql).substitute(
        reporting_currency=quote_literal(settings.reporting_currency),
        reporting_time_zone=quote_literal(settings.reporting_time_zone),
        seeds_dir=quote_literal(settings.seeds_dir.as_posix()),
        **(parameters or {}),
    )


def load_views(suites: Sequence[Suite]) -> dict[str, str]:
    """The views the suites' datasets may read: the name of each file under ``_views/``
    beside the suites' folders, and its query."""
    directories = sorted({suite.path.parents[1] for suite in suites})
    return {
        path.stem: _read_sql(path, _SETTINGS_PLACEHOLDERS)
        for directory in directories
        for path in sorted((directory / VIEWS_FOLDER).glob("*.sql"))
    }


def _read_sql(path: Path, allowed: set[str]) -> str:
    """The query in ``path``, refused unless its only ``${name}``s are ``allowed``; a
    dollar sign of its own is written ``$$``."""
    sql = path.read_text(encoding="utf-8")
    template = Template(sql)
    unknown = set(template.get_identifiers()) - allowed
    if not template.is_valid() or unknown:
        names = ", ".join("${" + name + "}" for name in sorted(allowed))
        raise SuiteError(
            f"{path}: only {names} may be filled in (found {sorted(unknown) or 'a lone $'}); "
            "write $$ for a dollar sign"
        )
    return sql


def _columns_of(expectation: Expectation) -> list[str]:
    arguments: dict[str, Any] = expectation.configuration.kwargs
    names = [arguments[name] for name in _COLUMN_ARGUMENTS if arguments.get(name)]
    for name in _COLUMN_LIST_ARGUMENTS:
        names.extend(arguments.get(name) or [])
    return names


def load_suite(path: Path) -> Suite:
    """The suite at ``path``; a malformed one raises :class:`SuiteError`."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise SuiteError(f"{path}: not JSON: {error}") from error
    expected_name = f"{path.parent.name}.{path.stem}"
    if document.get("name") != expected_name:
        raise SuiteError(f"{path}: the suite must be named {expected_name!r}")
    written = document.get("expectations") or []
    gx_suite = ExpectationSuite(**document)
    # GX logs and drops an expectation it cannot build; a suite must not shrink silently.
    if len(gx_suite.expectations) != len(written):
        raise SuiteError(f"{path}: some expectations are not valid GX expectations")
    if not written:
        raise SuiteError(f"{path}: the suite has no expectations")
    settings = (document.get("meta") or {}).get("salesdw") or {}
    asset, key = settings.get("asset"), settings.get("key")
    if not asset or not key:
        raise SuiteError(f"{path}: meta.salesdw must give the guarded asset and the key")
    parameters = settings.get("dataset_parameters") or {}
    shared = settings.get("dataset")
    dataset_path = (
        path.parents[1] / DATASETS_FOLDER / shared if shared else path.with_suffix(".sql")
    )
    if shared and not dataset_path.is_file():
        raise SuiteError(f"{path}: its dataset {dataset_path} does not exist")
    return Suite(
        path=path,
        gx_suite=gx_suite,
        asset=tuple(asset.split("/")),
        key=tuple(key),
        description=settings.get("description", ""),
        dataset_sql=_read_sql(dataset_path, _SETTINGS_PLACEHOLDERS | set(parameters))
        if dataset_path.exists()
        else None,
        dataset_parameters=parameters,
        materialize=settings.get("materialize", True),
    )


def suite_names(directory: Path) -> set[str]:
    """The names of the suites under ``directory``, from their files alone: a suite
    that loads is named after its folder and file."""
    return {f"{path.parent.name}.{path.stem}" for path in directory.glob("*/*.json")}


def load_suites(directory: Path = EXPECTATIONS_DIR, pattern: str = "*") -> list[Suite]:
    """Every suite under ``directory`` whose name matches the glob ``pattern``, by name."""
    suites = [load_suite(path) for path in sorted(directory.glob("*/*.json"))]
    names = [suite.check_name for suite in suites]
    if len(set(names)) != len(names):
        raise SuiteError(f"two suites under {directory} share a check name")
    return [suite for suite in suites if fnmatch.fnmatchcase(suite.name, pattern)]
