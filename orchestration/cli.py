"""``salesdw``: the command line of the warehouse."""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date
from pathlib import Path

import duckdb

from orchestration.byo import cli as byo_cli
from orchestration.quality import cli as quality_cli
from orchestration.raw.contract import TABLES, TABLES_BY_PATH, with_references
from orchestration.raw.ingest import FileResult, FileStatus, IngestReport, ingest
from orchestration.settings import Settings
from orchestration.summary import log_latest_month

logger = logging.getLogger("salesdw")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _month(value: str) -> date:
    return date.fromisoformat(value).replace(day=1)


def _positive_scale(value: str) -> float:
    scale = float(value)
    if scale <= 0:
        raise argparse.ArgumentTypeError("scale must be positive")
    return scale


def _positive_months(value: str) -> int:
    months = int(value)
    if months < 1:
        raise argparse.ArgumentTypeError("months must be at least 1")
    return months


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="salesdw", description="Sales KPI warehouse: demo data, ingestion and the dbt build."
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log every file")
    commands = parser.add_subparsers(dest="command", required=True)

    generate = commands.add_parser(
        "generate", help="write a demo company's CRM and finance extracts into a landing folder"
    )
    generate.add_argument(
        "--scale",
        type=_positive_scale,
        default=1.0,
        help="1 = about 40 managers over 24 months (default 1)",
    )
    generate.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    generate.add_argument(
        "--start",
        type=_month,
        default=date(2024, 1, 1),
        help="first month, YYYY-MM-DD (default 2024-01-01)",
    )
    generate.add_argument(
        "--months", type=_positive_months, default=24, help="months of history (default 24)"
    )
    generate.add_argument(
        "--out",
        type=Path,
        default=None,
        help="landing folder (default: the SALESDW_LANDING_DIR setting)",
    )
    generate.add_argument(
        "--format", choices=("parquet", "csv"), default="parquet", dest="file_format"
    )
    generate.add_argument(
        "--messy",
        action="store_true",
        help="also write files that break the raw contract, for testing",
    )

    ingest_command = commands.add_parser(
        "ingest", help="load new landing files into the warehouse's raw schema, exactly once"
    )
    ingest_command.add_argument(
        "--landing", type=Path, default=None, help="landing folder (default: SALESDW_LANDING_DIR)"
    )
    ingest_command.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="warehouse DuckDB file (default: SALESDW_WAREHOUSE_PATH)",
    )
    ingest_command.add_argument(
        "--table",
        action="append",
        default=None,
        choices=[t.qualified for t in TABLES],
        metavar="SOURCE/TABLE",
        help="only this table, e.g. crm/deals, and the tables it is checked against "
        "(managers, exchange rates); repeatable",
    )
    ingest_command.add_argument(
        "--strict",
        action="store_true",
        help="exit with status 2 if a file is refused or a row rejected",
    )
    build_command = commands.add_parser(
        "build",
        help="build the warehouse with dbt: seeds, staging, facts, dimensions and their tests",
    )
    build_command.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental facts from scratch instead of applying what changed",
    )
    build_command.add_argument(
        "--select",
        nargs="+",
        default=(),
        metavar="SELECTOR",
        help="only these dbt nodes, e.g. fct_deals+ (dbt's selection syntax)",
    )
    build_command.add_argument(
        "--warehouse",
        type=Path,
        default=None,
        help="warehouse DuckDB file (default: SALESDW_WAREHOUSE_PATH)",
    )
    run_command = commands.add_parser(
        "run",
        help="the whole pipeline through Dagster: ingest, dbt build with its checks, "
        "publish the serving file, then the summary of the latest month",
    )
    run_command.add_argument(
        "--full-refresh",
        action="store_true",
        help="rebuild the incremental facts from scratch instead of applying what changed",
    )
    commands.add_parser(
        "publish",
        help="copy the warehouse's marts into the serving file BI tools open "
        "(SALESDW_MARTS_PATH), swapped in atomically; `run` does this after a good build",
    )
    summary_command = commands.add_parser(
        "summary",
        help="the latest full month at a glance: company KPIs and the top managers",
    )
    summary_command.add_argument(
        "--database",
        type=Path,
        default=None,
        help="DuckDB file with the marts (default: the serving file, SALESDW_MARTS_PATH)",
    )
    quality_cli.register(commands)
    byo_cli.register(parser, commands)
    return parser


def _run_summary(arguments: argparse.Namespace, settings: Settings) -> int:
    database = (arguments.database or settings.marts_path).resolve()
    if not database.is_file():
        logger.error("%s does not exist: run `salesdw run` first", database)
        return EXIT_FAILED
    return EXIT_OK if log_latest_month(database, settings.reporting_currency) else EXIT_FAILED


def _run_publish(_: argparse.Namespace, settings: Settings) -> int:
    from orchestration.pipeline.publish import publish_marts  # noqa: PLC0415 - Dagster

    publish_marts(settings.warehouse_path, settings.marts_path)
    return EXIT_OK


def _run_pipeline(arguments: argparse.Namespace, settings: Settings) -> int:
    from orchestration.pipeline.console import run_pipeline  # noqa: PLC0415 - Dagster, dbt

    # Dagster's steps read their settings from the environment, as under `dagster dev`:
    # this run's --reporting-currency and friends must reach them there.
    os.environ.update(settings.environment())
    if not run_pipeline(full_refresh=arguments.full_refresh):
        logger.error(
            "the pipeline failed; the serving file %s was not replaced", settings.marts_path
        )
        return EXIT_FAILED
    return (
        EXIT_OK
        if log_latest_month(settings.marts_path, settings.reporting_currency)
        else EXIT_FAILED
    )


def _run_build(arguments: argparse.Namespace, settings: Settings) -> int:
    from orchestration.transform import build  # noqa: PLC0415 - dbt is slow to import

    if arguments.warehouse:
        settings = replace(settings, warehouse_path=arguments.warehouse.resolve())
    started = time.perf_counter()
    outcome = build(settings, full_refresh=arguments.full_refresh, select=arguments.select)
    for failure in outcome.failures:
        logger.error("%s", failure)
    if not outcome.succeeded:
        logger.error("dbt build failed after %.1f s", time.perf_counter() - started)
        return EXIT_FAILED
    logger.info("built %s in %.1f s", settings.warehouse_path, time.perf_counter() - started)
    return EXIT_OK


def _run_generate(arguments: argparse.Namespace, settings: Settings) -> int:
    from orchestration.demo import GeneratorConfig, generate  # noqa: PLC0415 - heavy, lazy

    out = (arguments.out or settings.landing_dir).resolve()
    try:
        config = GeneratorConfig(
            out=out,
            scale=arguments.scale,
            seed=arguments.seed,
            start=arguments.start,
            months=arguments.months,
            file_format=arguments.file_format,
            messy=arguments.messy,
            seeds_dir=settings.seeds_dir,
            reporting_currency=settings.reporting_currency,
        )
    except ValueError as impossible:
        logger.error("%s", impossible)
        return EXIT_FAILED
    started = time.perf_counter()
    rows = generate(config)
    logger.info("%-28s %12s", "table", "rows")
    for name, count in rows.items():
        logger.info("%-28s %12d", name, count)
    logger.info(
        "generated %d rows in %.1f s into %s",
        sum(rows.values()),
        time.perf_counter() - started,
        out,
    )
    return EXIT_OK


def _log_ingest_summary(report: IngestReport) -> None:
    by_table: dict[str, list[FileResult]] = {}
    for result in report.files:
        by_table.setdefault(result.table, []).append(result)
    logger.info(
        "%-26s %6s %6s %6s %12s %10s", "table", "new", "known", "refused", "loaded", "rejected"
    )
    for name, results in by_table.items():
        logger.info(
            "%-26s %6d %6d %6d %12d %10d",
            name,
            sum(r.status is FileStatus.LOADED for r in results),
            sum(r.status is FileStatus.SKIPPED for r in results),
            sum(r.status is FileStatus.REFUSED for r in results),
            sum(r.rows_loaded for r in results),
            sum(r.rows_rejected for r in results),
        )
    if report.count(FileStatus.REFUSED):
        logger.error(
            "%d files refused: see raw.ingest_ledger (path, error)",
            report.count(FileStatus.REFUSED),
        )
    if report.rows_rejected:
        logger.warning(
            "%d rows rejected: see raw.rejects (file, row number, row, reason)",
            report.rows_rejected,
        )


def _run_ingest(arguments: argparse.Namespace, settings: Settings) -> int:
    if arguments.landing:
        settings = replace(settings, landing_dir=arguments.landing.resolve())
    if arguments.warehouse:
        settings = replace(settings, warehouse_path=arguments.warehouse.resolve())
    tables = (
        with_references(tuple(TABLES_BY_PATH[name] for name in arguments.table))
        if arguments.table
        else TABLES
    )
    started = time.perf_counter()
    report = ingest(settings, tables)
    _log_ingest_summary(report)
    logger.info(
        "ingested into %s in %.1f s", settings.warehouse_path, time.perf_counter() - started
    )
    failed = report.count(FileStatus.REFUSED) or report.rows_rejected
    return EXIT_BAD_INPUT if arguments.strict and failed else EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace, Settings], int]] = {
    "generate": _run_generate,
    "ingest": _run_ingest,
    "build": _run_build,
    "publish": _run_publish,
    "run": _run_pipeline,
    "summary": _run_summary,
    "validate": quality_cli.run,
}


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if arguments.verbose else logging.INFO,
        format="%(message)s",
        stream=sys.stderr,
    )
    settings = byo_cli.run_settings(arguments, Settings())
    try:
        if arguments.command in byo_cli.COMMANDS:
            return byo_cli.run(arguments, settings)
        return _COMMANDS[arguments.command](arguments, settings)
    except (FileNotFoundError, FileExistsError) as wrong_folder:
        logger.error("%s", wrong_folder)
    except duckdb.IOException as error:
        # Often another process holding the warehouse file: DuckDB allows one writer.
        logger.error("stopped by an I/O error, nothing of the file at hand was kept: %s", error)
    return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
