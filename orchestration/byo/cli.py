"""The bring-your-own-CRM commands of ``salesdw``: ``import`` and ``coverage``, and the
options that set a dataset's reporting currency, time zone and fiscal year per run.

``orchestration.cli`` registers them with :func:`register`, applies the options with
:func:`run_settings` and hands these commands to :func:`run`."""

from __future__ import annotations

import argparse
import logging
from dataclasses import replace
from pathlib import Path

from orchestration.byo.check import check
from orchestration.byo.coverage import kpi_coverage
from orchestration.byo.importer import (
    ImportReport,
    import_export,
    settings_variables,
    with_mapping_settings,
)
from orchestration.byo.mapping import ExportMapping, MappingError, load_mapping
from orchestration.settings import Settings

logger = logging.getLogger("salesdw")

COMMANDS = frozenset({"import", "coverage"})
# The exit codes of orchestration.cli.
_EXIT_OK = 0
_EXIT_FAILED = 1
_EXIT_BAD_INPUT = 2


def _month(value: str) -> int:
    month = int(value)
    if not 1 <= month <= 12:
        raise argparse.ArgumentTypeError("the fiscal year's first month is 1-12")
    return month


def register(parser: argparse.ArgumentParser, commands: argparse._SubParsersAction) -> None:
    """Add the per-run settings to ``parser`` and the commands to ``commands``."""
    parser.add_argument(
        "--reporting-currency",
        metavar="CODE",
        help="currency of the KPIs for this run, e.g. USD (default: SALESDW_REPORTING_CURRENCY)",
    )
    parser.add_argument(
        "--time-zone",
        metavar="ZONE",
        help="reporting time zone, e.g. America/New_York (default: SALESDW_REPORTING_TIME_ZONE)",
    )
    parser.add_argument(
        "--fiscal-year-start-month",
        type=_month,
        metavar="1-12",
        help="first month of the fiscal year (default: SALESDW_FISCAL_YEAR_START_MONTH)",
    )
    importing = commands.add_parser(
        "import",
        help="turn a folder of CRM or finance export files into contract files, by a mapping",
    )
    importing.add_argument("--mapping", type=Path, required=True, help="the mapping (YAML)")
    importing.add_argument(
        "--input", type=Path, required=True, help="the folder with the export files"
    )
    importing.add_argument(
        "--landing", type=Path, default=None, help="landing folder (default: SALESDW_LANDING_DIR)"
    )
    importing.add_argument(
        "--check",
        action="store_true",
        help="only check the mapping against the files; write nothing",
    )
    covering = commands.add_parser(
        "coverage", help="which KPIs of the catalogue an export's mapping can compute, and why not"
    )
    covering.add_argument("--mapping", type=Path, required=True, help="the mapping (YAML)")


def run_settings(arguments: argparse.Namespace, settings: Settings) -> Settings:
    """``settings`` with this run's --reporting-currency, --time-zone and
    --fiscal-year-start-month on top."""
    return replace(
        settings,
        reporting_currency=(arguments.reporting_currency or settings.reporting_currency).upper(),
        reporting_time_zone=arguments.time_zone or settings.reporting_time_zone,
        fiscal_year_start_month=arguments.fiscal_year_start_month
        or settings.fiscal_year_start_month,
    )


def _log_problems(mapping: ExportMapping, report: ImportReport) -> None:
    for problem in report.problems:
        log = logger.error if problem.is_error else logger.warning
        log("%s", problem.render(mapping))


def _run_import(arguments: argparse.Namespace, settings: Settings) -> int:
    mapping = load_mapping(arguments.mapping)
    # The command line wins over the mapping's settings block, which wins over SALESDW_*.
    dataset = run_settings(arguments, with_mapping_settings(mapping, settings))
    if arguments.check:
        report = ImportReport(problems=check(mapping, arguments.input, dataset))
        _log_problems(mapping, report)
        if report.errors:
            logger.error("%d error(s) in %s", len(report.errors), arguments.mapping)
            return _EXIT_BAD_INPUT
        logger.info("%s fits the export in %s", arguments.mapping, arguments.input)
        return _EXIT_OK
    landing = (arguments.landing or settings.landing_dir).resolve()
    report = import_export(mapping, arguments.input, landing, dataset)
    _log_problems(mapping, report)
    if report.errors:
        logger.error("%d error(s): nothing written", len(report.errors))
        return _EXIT_BAD_INPUT
    for written in report.written:
        assumed = f" (assumption {written.assumption.value})" if written.assumption else ""
        logger.info("%-24s %8d rows  %s%s", written.table, written.rows, written.path, assumed)
    logger.info("the dataset's settings, for `salesdw ingest` and `salesdw build`:")
    for name, value in settings_variables(dataset).items():
        logger.info("  export %s=%s", name, value)
    return _EXIT_OK


def _run_coverage(arguments: argparse.Namespace) -> int:
    mapping = load_mapping(arguments.mapping)
    coverages = kpi_coverage(mapping)
    computable = [coverage for coverage in coverages if coverage.computable]
    logger.info("%s can compute %d of %d KPIs:", mapping.name, len(computable), len(coverages))
    for coverage in computable:
        assumed = f"  (assumes {', '.join(coverage.assumptions)})" if coverage.assumptions else ""
        logger.info("  + %s%s", coverage.kpi.code, assumed)
    logger.info("and not:")
    for coverage in coverages:
        if not coverage.computable:
            logger.info("  - %-32s %s", coverage.kpi.code, "; ".join(coverage.missing))
    return _EXIT_OK


def run(arguments: argparse.Namespace, settings: Settings) -> int:
    """Run ``import`` or ``coverage``."""
    try:
        if arguments.command == "import":
            return _run_import(arguments, settings)
        return _run_coverage(arguments)
    except MappingError as error:
        logger.error("%s", error)
        return _EXIT_BAD_INPUT
