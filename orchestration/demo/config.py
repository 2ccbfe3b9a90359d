"""Arguments of one demo data run."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

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
