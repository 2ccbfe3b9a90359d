"""Reference codes from the dbt seeds, the one place a person edits them."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class Stage:
    code: str
    order: int
    is_closed: bool
    is_won: bool
    win_probability_pct: int


@dataclass(frozen=True)
class LostReason:
    code: str
    is_manager_fault: bool


def _rows(seeds_dir: Path, name: str) -> list[dict[str, str]]:
    with (seeds_dir / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _flag(value: str) -> bool:
    return value.strip().lower() == "true"


@cache
def channel_codes(seeds_dir: Path) -> tuple[str, ...]:
    return tuple(row["channel_code"] for row in _rows(seeds_dir, "sales_channels"))


@cache
def stages(seeds_dir: Path) -> tuple[Stage, ...]:
    rows = _rows(seeds_dir, "deal_stages")
    return tuple(
        sorted(
            (
                Stage(
                    code=row["stage_code"],
                    order=int(row["stage_order"]),
                    is_closed=_flag(row["is_closed"]),
                    is_won=_flag(row["is_won"]),
                    win_probability_pct=int(row["win_probability_pct"]),
                )
                for row in rows
            ),
            key=lambda stage: stage.order,
        )
    )


@cache
def lost_reasons(seeds_dir: Path) -> tuple[LostReason, ...]:
    return tuple(
        LostReason(row["lost_reason_code"], _flag(row["is_manager_fault"]))
        for row in _rows(seeds_dir, "lost_reasons")
    )
