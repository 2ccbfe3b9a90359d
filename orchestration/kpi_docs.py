"""Renders the KPI documentation page, ``docs/kpis.md``, from the catalogue seed.

The catalogue is data (``seeds/kpi_catalogue.csv``, one row per KPI; the scorecard's
weights in ``seeds/scorecard_targets.csv``); the page is generated from it so that the
two cannot drift apart::

    python -m orchestration.kpi_docs           # writes docs/kpis.md
    python -m orchestration.kpi_docs --check   # exit 1 when docs/kpis.md is out of date
"""

from __future__ import annotations

import argparse
import csv
import logging
import sys
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from orchestration.raw.contract import TABLES_BY_PATH
from orchestration.settings import PROJECT_ROOT

logger = logging.getLogger(__name__)

CATALOGUE_CSV = PROJECT_ROOT / "seeds" / "kpi_catalogue.csv"
SCORECARD_CSV = PROJECT_ROOT / "seeds" / "scorecard_targets.csv"
DOCS_PAGE = PROJECT_ROOT / "docs" / "kpis.md"
DOC_BLOCKS = PROJECT_ROOT / "models" / "marts" / "kpi" / "_kpi_definitions.md"
"""dbt doc blocks ``kpi_<code>`` that document the KPI columns of the marts."""

CATEGORIES: dict[str, str] = {
    "financial": "Financial",
    "funnel": "Funnel and efficiency",
    "activity": "Activity",
    "quality": "Quality and CRM discipline",
}
"""Category code -> section title, in the order of the page."""
UNITS = frozenset({"money", "count", "percent", "days", "minutes", "months", "ratio", "score"})
AGGREGATIONS: dict[str, str] = {
    "sum": "the sum of the period's events",
    "ratio": (
        "summed numerator over summed denominator at each grain, never an average of the"
        " ratios of a finer grain"
    ),
    "distinct": "distinct clients of the period, counted again at each grain",
    "median": "the median over the period's events, computed again at each grain",
    "period_end": "a state taken at the end of the period's last local day",
    "cohort": "followed over the cohort of clients won in the period",
}
"""Aggregation code -> how a value at a coarser grain is built."""
_BOOLEANS = {"true": True, "false": False}
_SOURCE_PREFIX_LENGTH = 3

_CATALOGUE_COLUMNS = (
    "kpi_code",
    "name_en",
    "name_ru",
    "category",
    "unit",
    "higher_is_better",
    "aggregation",
    "definition",
    "source_articles",
    "requires",
)
_SCORECARD_COLUMNS = ("kpi_code", "weight", "target", "cap")

_RULES = """\
## Rules that apply to every KPI

- **Period**: a KPI value belongs to the period of its event date, taken in the
  reporting time zone (setting `SALESDW_REPORTING_TIME_ZONE`, default `Europe/Moscow`).
  Grains: day, ISO week (Monday start), month, quarter, year. Quarters and years follow
  the fiscal year, whose first month is a setting (`SALESDW_FISCAL_YEAR_START_MONTH`,
  default January).
- **Reproducible**: a KPI for a past period never depends on the day the pipeline ran
  (no "this month" relative to now); the same input gives the same marts.
- **Manager**: the manager recorded on the event (a payment: its invoice's deal's
  manager; an activity: its manager; a deal: its manager).
- **Team**: the team the manager belonged to at the event's time (managers change teams
  and the history is kept), not the team they are in today.
- **Channel**: the deal's `channel_code`; for leads the lead's; for activities the
  deal's, else the lead's, else `unattributed`.
- **Company**: the whole company is one entity, whose `entity_id` is `company`.
- **Money**: converted to the reporting currency (setting `SALESDW_REPORTING_CURRENCY`,
  default `RUB`) at the rate of the event's local date (the latest earlier rate when a
  day has none), stored as DECIMAL(18,2).
- **Ratios** are computed from summed numerators and denominators at each grain, never
  by averaging the ratios of a finer grain. A ratio with a zero denominator is NULL,
  not 0.
- **Percentages** are 0-100, rounded only for display.
- **Monthly inputs**: sales plans and sales expenses are monthly, so the KPIs built on
  them (the plans and their attainment, pipeline coverage, the cost of sales, its ratio
  to revenue, the customer acquisition cost) and the payback period are NULL at day and
  week grain.
- **Period end**: a KPI that describes a state (open pipeline, overdue tasks, CRM
  hygiene) is measured at the end of the period's last local day.
- **Where they are**: `marts.kpi_manager_period`, `marts.kpi_channel_period`,
  `marts.kpi_team_period` and `marts.kpi_company_period` have one row per entity and
  period and one column per `kpi_code`; `marts.kpi_long` has the same values tidy, one
  row per entity, period and `kpi_code`.
- **Needs**: the contract tables the KPI is computed from (the *needs* column; a
  `table.column` names an optional column it also needs). When a needed table has no
  loaded file, or no loaded row fills a needed column, as in a CRM export without them
  (docs/bring-your-own-crm.md), the KPI is NULL, never 0; `salesdw coverage` tells
  which KPIs an export's mapping can compute.
"""

_SCORECARD_INTRO = """\
## Scorecard

A weighted score per manager and month, from `seeds/scorecard_targets.csv`: each KPI
below has a weight, a target and a cap, which the head of sales edits as data, not code.

score = Σ weight \N{MULTIPLICATION SIGN} min(actual / target, cap)

For a KPI where lower is better the ratio is inverted: min(target / actual, cap), and
an actual of 0 scores the cap. The weights sum to 1 (the dbt test
`assert_scorecard_weights_sum_to_one` checks it), so meeting every target exactly
scores 1.
"""


@dataclass(frozen=True)
class Kpi:
    """One row of the catalogue seed."""

    code: str
    name_en: str
    name_ru: str
    category: str
    unit: str
    higher_is_better: bool
    aggregation: str
    definition: str
    sources: tuple[str, ...]
    requires: tuple[str, ...]
    """Contract tables (``crm/deals``) or optional columns of them (``crm/deals.closed_at``)
    the KPI cannot be computed without; the KPI is NULL when a table has no loaded file
    or no loaded row fills a column."""

    @property
    def required_tables(self) -> tuple[str, ...]:
        """The tables of ``requires``, once each, in order."""
        return tuple(dict.fromkeys(requirement.split(".")[0] for requirement in self.requires))


@dataclass(frozen=True)
class ScorecardTarget:
    """One row of the scorecard seed; numbers keep the seed's own notation."""

    kpi_code: str
    weight: Decimal
    target: Decimal
    cap: Decimal


def _read_rows(path: Path, columns: Sequence[str]) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in columns if column not in (reader.fieldnames or ())]
        if missing:
            raise ValueError(f"{path} lacks column(s) {', '.join(missing)}")
        return [{column: (row[column] or "").strip() for column in columns} for row in reader]


def _choice(path: Path, code: str, column: str, value: str, allowed: Collection[str]) -> str:
    if value not in allowed:
        raise ValueError(f"{path}: {code}: {column} {value!r} is not one of {sorted(allowed)}")
    return value


def _sources(path: Path, code: str, value: str) -> tuple[str, ...]:
    sources = tuple(source.strip() for source in value.split(";")) if value else ()
    for source in sources:
        if len(source) != _SOURCE_PREFIX_LENGTH or not source.isdigit():
            raise ValueError(f"{path}: {code}: source article {source!r} is not a 3-digit prefix")
    return sources


def _requirements(path: Path, code: str, value: str) -> tuple[str, ...]:
    requirements = tuple(part.strip() for part in value.split(";")) if value else ()
    if not requirements:
        raise ValueError(f"{path}: {code}: requires is empty")
    for requirement in requirements:
        qualified, _, column = requirement.partition(".")
        contract_table = TABLES_BY_PATH.get(qualified)
        if contract_table is None:
            raise ValueError(f"{path}: {code}: requires {qualified!r}, not a contract table")
        if column and column not in contract_table.column_names:
            raise ValueError(f"{path}: {code}: requires {requirement!r}, not a contract column")
    return requirements


def _kpi(path: Path, row: dict[str, str]) -> Kpi:
    code = row["kpi_code"]
    for column in ("kpi_code", "name_en", "name_ru", "definition"):
        if not row[column]:
            raise ValueError(f"{path}: {code or '(no kpi_code)'}: {column} is empty")
    return Kpi(
        code=code,
        name_en=row["name_en"],
        name_ru=row["name_ru"],
        category=_choice(path, code, "category", row["category"], CATEGORIES),
        unit=_choice(path, code, "unit", row["unit"], UNITS),
        higher_is_better=_BOOLEANS[
            _choice(path, code, "higher_is_better", row["higher_is_better"], _BOOLEANS)
        ],
        aggregation=_choice(path, code, "aggregation", row["aggregation"], AGGREGATIONS),
        definition=row["definition"],
        sources=_sources(path, code, row["source_articles"]),
        requires=_requirements(path, code, row["requires"]),
    )


def read_catalogue(path: Path) -> list[Kpi]:
    """The KPIs of the catalogue seed in file order; ValueError on a malformed row or a
    repeated kpi_code."""
    kpis = [_kpi(path, row) for row in _read_rows(path, _CATALOGUE_COLUMNS)]
    seen: set[str] = set()
    for kpi in kpis:
        if kpi.code in seen:
            raise ValueError(f"{path}: kpi_code {kpi.code} appears more than once")
        seen.add(kpi.code)
    return kpis


def _number(path: Path, code: str, column: str, value: str) -> Decimal:
    try:
        return Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{path}: {code}: {column} {value!r} is not a number") from None


def read_scorecard(path: Path) -> list[ScorecardTarget]:
    """The scorecard seed's rows in file order."""
    return [
        ScorecardTarget(
            kpi_code=row["kpi_code"],
            weight=_number(path, row["kpi_code"], "weight", row["weight"]),
            target=_number(path, row["kpi_code"], "target", row["target"]),
            cap=_number(path, row["kpi_code"], "cap", row["cap"]),
        )
        for row in _read_rows(path, _SCORECARD_COLUMNS)
    ]


def _cell(value: str) -> str:
    """A Markdown table cell: one line, pipes escaped."""
    return " ".join(value.split()).replace("|", "\\|")


def _table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    lines = [
        "| " + " | ".join(header) + " |",
        "|" + "|".join("---" for _ in header) + "|",
        *("| " + " | ".join(_cell(value) for value in row) + " |" for row in rows),
    ]
    return "\n".join(lines) + "\n"


def _direction(higher_is_better: bool) -> str:
    return "↑ higher" if higher_is_better else "↓ lower"


def _header(kpis: Sequence[Kpi]) -> str:
    return (
        "# KPI catalogue\n"
        "\n"
        "<!-- Generated from seeds/kpi_catalogue.csv by `python -m orchestration.kpi_docs`;"
        " do not edit by hand. -->\n"
        "\n"
        f"The {len(kpis)} KPIs a head of sales tracks per manager, channel, team and the whole\n"
        "company. This page is generated from `seeds/kpi_catalogue.csv` (and the scorecard\n"
        "from `seeds/scorecard_targets.csv`) by `python -m orchestration.kpi_docs`: do not\n"
        "edit it by hand; edit the seed and run the command again. A test fails when the\n"
        "page and the seeds differ (`python -m orchestration.kpi_docs --check`).\n"
        "\n"
        "*Sources* are the numbers (3-digit prefixes) of the source articles (Russian) the\n"
        "catalogue was collected from that ask for the KPI or the idea behind it.\n"
    )


def _aggregations() -> str:
    lines = ["How a KPI aggregates (the *aggregates* column of the tables):", ""]
    lines += [f"- `{code}`: {meaning}." for code, meaning in AGGREGATIONS.items()]
    return "\n".join(lines) + "\n"


def _category_section(category: str, kpis: Sequence[Kpi]) -> str:
    header = (
        "code",
        "name (en)",
        "name (ru)",
        "unit",
        "better",
        "aggregates",
        "definition",
        "needs",
        "sources",
    )
    rows = (
        (
            f"`{kpi.code}`",
            kpi.name_en,
            kpi.name_ru,
            kpi.unit,
            _direction(kpi.higher_is_better),
            kpi.aggregation,
            kpi.definition,
            ", ".join(f"`{requirement}`" for requirement in kpi.requires),
            ", ".join(kpi.sources) or "—",
        )
        for kpi in kpis
        if kpi.category == category
    )
    return f"## {CATEGORIES[category]}\n\n" + _table(header, rows)


def _scorecard_section(targets: Sequence[ScorecardTarget], kpis: Sequence[Kpi]) -> str:
    by_code = {kpi.code: kpi for kpi in kpis}
    unknown = [target.kpi_code for target in targets if target.kpi_code not in by_code]
    if unknown:
        raise ValueError(f"scorecard KPI(s) not in the catalogue: {', '.join(unknown)}")
    rows = (
        (
            f"`{target.kpi_code}`",
            by_code[target.kpi_code].name_en,
            _direction(by_code[target.kpi_code].higher_is_better),
            str(target.weight),
            str(target.target),
            str(target.cap),
        )
        for target in targets
    )
    header = ("kpi", "name", "better", "weight", "target", "cap")
    return _SCORECARD_INTRO + "\n" + _table(header, rows)


def render_kpi_docs(catalogue_csv: Path, scorecard_csv: Path) -> str:
    """The Markdown of docs/kpis.md for these seeds; the same seeds give the same text."""
    kpis = read_catalogue(catalogue_csv)
    targets = read_scorecard(scorecard_csv)
    sections = [
        _header(kpis),
        _RULES,
        _aggregations(),
        *(_category_section(category, kpis) for category in CATEGORIES),
        _scorecard_section(targets, kpis),
    ]
    return "\n".join(sections)


def render_dbt_doc_blocks(catalogue_csv: Path) -> str:
    """One dbt doc block per KPI, so each KPI column of every mart has the seed's text."""
    blocks = [
        "{# Generated from seeds/kpi_catalogue.csv by `python -m orchestration.kpi_docs`;"
        " do not edit. #}\n"
    ]
    for kpi in read_catalogue(catalogue_csv):
        better = "higher" if kpi.higher_is_better else "lower"
        blocks.append(
            f"{{% docs kpi_{kpi.code} %}}\n"
            f"{kpi.name_en} ({kpi.name_ru}); {kpi.unit}, {better} is better."
            f" {kpi.definition} NULL when the warehouse lacks"
            f" {' or '.join(kpi.requires)}.\n"
            "{% enddocs %}\n"
        )
    return "\n".join(blocks)


def _display(path: Path) -> str:
    """The path relative to the repository when it is inside it."""
    resolved = path.resolve()
    if resolved.is_relative_to(PROJECT_ROOT):
        return str(resolved.relative_to(PROJECT_ROOT))
    return str(path)


def check_kpi_docs(page: Path, rendered: str) -> bool:
    """True when the page on disk is exactly the rendered text."""
    return page.is_file() and page.read_text(encoding="utf-8") == rendered


def write_kpi_docs(page: Path, rendered: str) -> None:
    page.parent.mkdir(parents=True, exist_ok=True)
    page.write_text(rendered, encoding="utf-8", newline="\n")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.kpi_docs",
        description="Render docs/kpis.md and the dbt doc blocks of the KPIs from"
        " seeds/kpi_catalogue.csv and seeds/scorecard_targets.csv.",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; exit 1 when the page differs from the render",
    )
    parser.add_argument("--catalogue", type=Path, default=CATALOGUE_CSV, help="catalogue CSV")
    parser.add_argument("--scorecard", type=Path, default=SCORECARD_CSV, help="scorecard CSV")
    parser.add_argument("--output", type=Path, default=DOCS_PAGE, help="the Markdown page")
    parser.add_argument(
        "--doc-blocks", type=Path, default=DOC_BLOCKS, help="the dbt doc blocks of the KPIs"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    arguments = _parser().parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    try:
        renders = {
            arguments.output: render_kpi_docs(arguments.catalogue, arguments.scorecard),
            arguments.doc_blocks: render_dbt_doc_blocks(arguments.catalogue),
        }
    except (OSError, ValueError) as error:
        logger.error("cannot render the KPI docs: %s", error)
        return 1
    if arguments.check:
        stale = [path for path, rendered in renders.items() if not check_kpi_docs(path, rendered)]
        for path in stale:
            logger.error(
                "%s differs from its render from %s and %s;"
                " run `python -m orchestration.kpi_docs` and commit it",
                _display(path),
                _display(arguments.catalogue),
                _display(arguments.scorecard),
            )
        if not stale:
            logger.info("%s are up to date", ", ".join(_display(path) for path in renders))
        return 1 if stale else 0
    for path, rendered in renders.items():
        write_kpi_docs(path, rendered)
        logger.info("wrote %s", _display(path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
