"""The golden dataset: a small hand-made company (tests/golden/landing) whose every KPI at
month grain was worked out by hand from the catalogue's definitions
(tests/golden/expected_month.csv, the story in tests/golden/README.md). The pipeline
runs on it (ingestion, then the dbt build) and every expected cell of marts.kpi_long
must match: a number within tolerance, or NULL (a NULL value or no row at all)."""

from __future__ import annotations

import csv
import logging
import math
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.kpi_docs import CATALOGUE_CSV, read_catalogue
from orchestration.raw.contract import TABLES, Table
from orchestration.raw.ingest import FileStatus, ingest
from orchestration.settings import Settings
from orchestration.transform import build

logger = logging.getLogger(__name__)

GOLDEN = Path(__file__).resolve().parent / "golden"
LANDING = GOLDEN / "landing"
EXPECTED_FILE = GOLDEN / "expected_month.csv"
GOLDEN_MONTHS = tuple(
    date(2024 + (month - 1) // 12, (month - 1) % 12 + 1, 1) for month in range(3, 16)
)
"""2024-03 (the key account's first deal, a year before) to 2025-03."""

ABSOLUTE_UNITS = frozenset({"money", "count", "days", "minutes", "months"})
"""Units compared within half a kopeck; the others (percent, ratio, score) relatively."""
MONEY_TOLERANCE = 0.005
RATIO_TOLERANCE = 1e-6

Key = tuple[str, str, str, date]


@dataclass(frozen=True)
class Expected:
    kpi_code: str
    entity_type: str
    entity_id: str
    period_start: date
    value: float | None
    explanation: str

    @property
    def key(self) -> Key:
        return (self.kpi_code, self.entity_type, self.entity_id, self.period_start)

    @property
    def test_id(self) -> str:
        return f"{self.kpi_code}-{self.entity_type}-{self.entity_id}-{self.period_start:%Y-%m}"


def _read_expected() -> list[Expected]:
    with EXPECTED_FILE.open(encoding="utf-8", newline="") as handle:
        return [
            Expected(
                kpi_code=row["kpi_code"].strip(),
                entity_type=row["entity_type"].strip(),
                entity_id=row["entity_id"].strip(),
                period_start=date.fromisoformat(row["period_start"].strip()),
                value=None if row["expected"].strip().lower() == "null" else float(row["expected"]),
                explanation=row["explanation"],
            )
            for row in csv.DictReader(handle)
        ]


EXPECTED = _read_expected()
UNITS = {kpi.code: kpi.unit for kpi in read_catalogue(CATALOGUE_CSV)}
"""kpi_code -> unit."""


@pytest.fixture(scope="module")
def kpi_month(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[Key, float | None]]:
    """Ingest the golden landing folder and build the warehouse in a scratch folder;
    the month grain of marts.kpi_long, keyed by (kpi_code, entity_type, entity_id,
    period_start)."""
    root = tmp_path_factory.mktemp("golden")
    settings = replace(
        Settings(),
        landing_dir=LANDING,
        warehouse_path=root / "warehouse.duckdb",
        marts_path=root / "marts.duckdb",
        reporting_currency="RUB",
        reporting_time_zone="Europe/Moscow",
        fiscal_year_start_month=1,
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SALESDW_LANDING_DIR", str(settings.landing_dir))
        patch.setenv("SALESDW_WAREHOUSE_PATH", str(settings.warehouse_path))
        patch.setenv("SALESDW_MARTS_PATH", str(settings.marts_path))
        report = ingest(settings, TABLES)
        refused = [result for result in report.files if result.status is FileStatus.REFUSED]
        assert refused == [], refused
        assert report.rows_rejected == 0
        assert report.count(FileStatus.LOADED) == len(list(LANDING.rglob("*.csv")))
        outcome = build(settings)
    assert outcome.failures == (), "\n".join(outcome.failures)
    assert outcome.succeeded
    # The published serving file when the pipeline writes one, else the warehouse.
    source = settings.marts_path if settings.marts_path.exists() else settings.warehouse_path
    logger.info("golden: reading marts.kpi_long from %s", source)
    with duckdb.connect(str(source), read_only=True) as connection:
        rows = connection.execute(
            "select kpi_code, entity_type, entity_id, period_start, value "
            "from marts.kpi_long where period_grain = 'month'"
        ).fetchall()
    values: dict[Key, float | None] = {}
    for kpi_code, entity_type, entity_id, period_start, value in rows:
        key = (kpi_code, entity_type, entity_id, period_start)
        assert key not in values, f"kpi_long has two rows for {key}"
        values[key] = None if value is None else float(value)
    yield values


def _tolerance(kpi_code: str, expected: float) -> float:
    if UNITS.get(kpi_code) in ABSOLUTE_UNITS:
        return MONEY_TOLERANCE
    return max(RATIO_TOLERANCE * abs(expected), RATIO_TOLERANCE)


@pytest.mark.parametrize("expected", EXPECTED, ids=[row.test_id for row in EXPECTED])
def test_golden_kpi_cell(kpi_month: dict[Key, float | None], expected: Expected) -> None:
    actual = kpi_month.get(expected.key)
    where = f"{expected.test_id} ({expected.explanation})"
    if expected.value is None:
        assert actual is None, f"{where}: expected NULL, the marts give {actual}"
        return
    assert expected.key in kpi_month, f"{where}: expected {expected.value}, no row in kpi_long"
    assert actual is not None, f"{where}: expected {expected.value}, the marts give NULL"
    assert math.isfinite(actual), f"{where}: the marts give {actual}"
    assert actual == pytest.approx(
        expected.value, abs=_tolerance(expected.kpi_code, expected.value)
    ), f"{where}: expected {expected.value}, the marts give {actual}"


def test_every_catalogue_kpi_has_an_expected_company_value_every_month() -> None:
    company = {(row.kpi_code, row.period_start) for row in EXPECTED if row.entity_type == "company"}
    missing = [
        f"{kpi_code} {month:%Y-%m}"
        for kpi_code in UNITS
        for month in GOLDEN_MONTHS
        if (kpi_code, month) not in company
    ]
    assert missing == []


def test_expected_rows_name_only_catalogue_kpis() -> None:
    unknown = sorted({row.kpi_code for row in EXPECTED} - set(UNITS))
    assert unknown == []


def test_expected_rows_are_well_formed() -> None:
    keys = [row.key for row in EXPECTED]
    assert len(keys) == len(set(keys)), "an expected cell appears twice"
    assert {row.entity_type for row in EXPECTED} <= {"company", "manager", "team", "channel"}
    assert all(row.entity_id == "company" for row in EXPECTED if row.entity_type == "company")
    assert all(row.period_start.day == 1 for row in EXPECTED)
    assert {row.period_start for row in EXPECTED} <= set(GOLDEN_MONTHS)
    assert all(row.explanation.strip() for row in EXPECTED)


@pytest.mark.parametrize("table", TABLES, ids=[table.qualified for table in TABLES])
def test_every_contract_table_has_a_golden_extract(table: Table) -> None:
    assert list((LANDING / table.qualified).glob("*.csv")), f"no extract of {table.qualified}"
