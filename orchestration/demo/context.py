"""What every generator of a chunk shares: randomness, calendar, reference codes, staff."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from orchestration.demo.fx import Rates
from orchestration.demo.people import Staff
from orchestration.demo.profiles import DEFAULT_PROFILE, PROFILES, ChannelProfile
from orchestration.demo.workdays import WorkCalendar
from orchestration.raw import reference

SKIPPABLE = ("contact", "meeting", "contract")
_MILESTONES = ("proposal", "contract", "invoice")


@dataclass(frozen=True)
class Pipeline:
    """Stage indexes (positions in ``codes``, sorted by stage_order)."""

    codes: tuple[str, ...]
    invoice: int  # the last open stage
    proposal: int
    contract: int
    won: int
    lost: int
    skippable: tuple[int, ...]


def load_pipeline(seeds_dir: Path) -> Pipeline:
    stages = reference.stages(seeds_dir)
    codes = tuple(stage.code for stage in stages)
    missing = [code for code in _MILESTONES if code not in codes]
    if missing:
        raise ValueError(f"deal_stages seed lacks the stages the demo story needs: {missing}")
    open_stages = [i for i, stage in enumerate(stages) if not stage.is_closed]
    invoice = codes.index("invoice")
    if open_stages != list(range(invoice + 1)):
        raise ValueError("deal_stages seed: open stages must come first and end with 'invoice'")
    return Pipeline(
        codes=codes,
        invoice=invoice,
        proposal=codes.index("proposal"),
        contract=codes.index("contract"),
        won=next(i for i, stage in enumerate(stages) if stage.is_won),
        lost=next(i for i, stage in enumerate(stages) if stage.is_closed and not stage.is_won),
        skippable=tuple(codes.index(code) for code in SKIPPABLE if code in codes),
    )


@dataclass(frozen=True)
class Chunk:
    rng: np.random.Generator
    cal: WorkCalendar
    index: int
    channels: tuple[str, ...]
    pipeline: Pipeline
    reason_codes: tuple[str, ...]
    reason_fault: np.ndarray
    staff: Staff
    rates: Rates

    @property
    def profiles(self) -> list[ChannelProfile]:
        return [PROFILES.get(code, DEFAULT_PROFILE) for code in self.channels]

    def channel_array(self, field: str) -> np.ndarray:
        return np.array([getattr(profile, field) for profile in self.profiles])

    def channel(self, code: str) -> int:
        """Index of a channel, or -1 when the seeds do not have it."""
        return self.channels.index(code) if code in self.channels else -1
