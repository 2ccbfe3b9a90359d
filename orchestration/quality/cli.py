"""``salesdw validate``: the data-quality suites from a terminal, outside Dagster."""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from datetime import UTC, datetime

from orchestration.settings import Settings

logger = logging.getLogger("salesdw")

EXIT_OK = 0
EXIT_BLOCKED = 1


def register(commands: argparse._SubParsersAction) -> None:
    validate_command = commands.add_parser(
        "validate",
        help="validate the warehouse with the Great Expectations suites in expectations/ "
        "and write the Data Docs; exits 1 when a critical expectation fails",
    )
    validate_command.add_argument(
        "--suite",
        default="*",
        metavar="GLOB",
        help="only the suites whose name matches, e.g. 'raw.*' or 'marts.kpi_*'",
    )


def run(arguments: argparse.Namespace, settings: Settings) -> int:
    from orchestration.quality.findings import Verdict  # noqa: PLC0415
    from orchestration.quality.gx_project import (  # noqa: PLC0415 - GX is slow to import
        SUMMARY_PAGE,
        data_docs_index,
    )
    from orchestration.quality.suites import load_suites  # noqa: PLC0415
    from orchestration.quality.validation import validate  # noqa: PLC0415

    suites = load_suites(pattern=arguments.suite)
    if not suites:
        logger.error("no suite matches %r", arguments.suite)
        return EXIT_BLOCKED
    run_name = "salesdw-validate-" + datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    outcomes = validate(settings, suites, run_name)
    for outcome in outcomes:
        # What needs a look stands out in capitals.
        state = outcome.verdict if outcome.verdict is Verdict.PASSED else outcome.verdict.upper()
        logger.info(
            "%-7s %-40s %12s rows %6.1f s",
            state,
            outcome.suite.name,
            f"{outcome.rows:,}",
            outcome.seconds,
        )
        for failure in outcome.failures:
            logger.info("          %s", failure.summary())
            for row in failure.sample[:5]:
                logger.info("            %s", row)
    verdicts = Counter(outcome.verdict for outcome in outcomes)
    logger.info(
        "%d suites: %d passed, %d with warnings, %d blocking; all of them in %s",
        len(outcomes),
        verdicts[Verdict.PASSED],
        verdicts[Verdict.WARNS],
        verdicts[Verdict.BLOCKS],
        data_docs_index(settings.quality_dir).with_name(SUMMARY_PAGE),
    )
    return EXIT_BLOCKED if verdicts[Verdict.BLOCKS] else EXIT_OK
