"""Project settings, each overridable by an environment variable.

Paths default to folders under the repository root so that ``make run`` works from a
fresh clone; a deployment moves them with ``SALESDW_*`` variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path(variable: str, default: Path) -> Path:
    value = os.environ.get(variable)
    return Path(value).expanduser().resolve() if value else default


@dataclass(frozen=True)
class Settings:
    landing_dir: Path = field(
        default_factory=lambda: _path("SALESDW_LANDING_DIR", PROJECT_ROOT / "data" / "landing")
    )
    warehouse_path: Path = field(
        default_factory=lambda: _path(
            "SALESDW_WAREHOUSE_PATH", PROJECT_ROOT / "warehouse" / "warehouse.duckdb"
        )
    )
    marts_path: Path = field(
        default_factory=lambda: _path(
            "SALESDW_MARTS_PATH", PROJECT_ROOT / "warehouse" / "marts.duckdb"
        )
    )
    quality_dir: Path = field(
        default_factory=lambda: _path("SALESDW_QUALITY_DIR", PROJECT_ROOT / "warehouse" / "quality")
    )
    """The Great Expectations project the validations keep their results in, with the
    Data Docs site at ``data_docs/index.html``."""
    seeds_dir: Path = field(
        default_factory=lambda: _path("SALESDW_SEEDS_DIR", PROJECT_ROOT / "seeds")
    )
    reporting_currency: str = field(
        default_factory=lambda: os.environ.get("SALESDW_REPORTING_CURRENCY", "RUB").upper()
    )
    reporting_time_zone: str = field(
        default_factory=lambda: os.environ.get("SALESDW_REPORTING_TIME_ZONE", "Europe/Moscow")
    )
    fiscal_year_start_month: int = field(
        default_factory=lambda: int(os.environ.get("SALESDW_FISCAL_YEAR_START_MONTH", "1"))
    )

    daily_run_cron: str = field(
        default_factory=lambda: os.environ.get("SALESDW_DAILY_RUN_CRON", "0 6 * * *")
    )
    """When the daily run starts, in the reporting time zone (cron syntax)."""

    def environment(self) -> dict[str, str]:
        """These settings as the ``SALESDW_*`` variables they are read from, for the
        processes that read them there: dbt, and Dagster's steps."""
        return {
            "SALESDW_LANDING_DIR": str(self.landing_dir),
            "SALESDW_WAREHOUSE_PATH": str(self.warehouse_path),
            "SALESDW_MARTS_PATH": str(self.marts_path),
            "SALESDW_QUALITY_DIR": str(self.quality_dir),
            "SALESDW_SEEDS_DIR": str(self.seeds_dir),
            "SALESDW_REPORTING_CURRENCY": self.reporting_currency,
            "SALESDW_REPORTING_TIME_ZONE": self.reporting_time_zone,
            "SALESDW_FISCAL_YEAR_START_MONTH": str(self.fiscal_year_start_month),
            "SALESDW_DAILY_RUN_CRON": self.daily_run_cron,
        }

    def __post_init__(self) -> None:
        if not 1 <= self.fiscal_year_start_month <= 12:
            raise ValueError(
                f"SALESDW_FISCAL_YEAR_START_MONTH must be 1-12, got {self.fiscal_year_start_month}"
            )
