"""Arguments of one demo data run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from orchestration.demo.profiles import CURRENCIES
from orchestration.settings import Settings


@dataclass(frozen=True)
class GeneratorConfig:
    out: Path
    scale: float = 1.0
    seed: int = 42
    start: date = date(2024, 1, 1)
    months: int = 24
    file_format: Literal["parquet", "csv"] = "parquet"
    messy: bool = False
    seeds_dir: Path = field(default_factory=lambda: Settings().seeds_dir)
    reporting_currency: str = field(default_factory=lambda: Settings().reporting_currency)

    def __post_init__(self) -> None:
        if self.months < 1:
            raise ValueError("months must be at least 1")
        if not self.scale > 0:
            raise ValueError("scale must be greater than 0")
        # Rates are only known between the currencies the demo company deals in.
        if self.reporting_currency not in CURRENCIES:
            raise ValueError(
                f"reporting currency must be one of {', '.join(CURRENCIES)}, "
                f"got {self.reporting_currency!r}"
            )
