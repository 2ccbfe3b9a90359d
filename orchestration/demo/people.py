"""Teams and managers of one chunk, with stable skills and careers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.frames import NEVER, Frame
from orchestration.demo.profiles import DEFAULT_PROFILE, PROFILES, VIP_CHANNEL
from orchestration.demo.workdays import DAY_US, OPEN_SEC, SEC_US, WorkCalendar, epoch_day

MANAGERS_PER_UNIT = 40
TEAM_SIZE = 8


@dataclass(frozen=True)
class Staff:
    team: np.ndarray  # team before a team change
    final_team: np.ndarray
    moved_on: np.ndarray  # day of the team change or -1
    is_head: np.ndarray
    hired_on: np.ndarray  # epoch days
    fired_on: np.ndarray  # epoch days or -1
    hire_w: np.ndarray
    fire_w: np.ndarray  # NEVER when still employed
    heads: np.ndarray  # manager index of each team's head
    skill: np.ndarray  # latent; every quality below leans on it
    conversion: np.ndarray
    cycle: np.ndarray
    activity: np.ndarray
    check: np.ndarray
    response_min: np.ndarray
    unanswered: np.ndarray
    fault: np.ndarray
    decision_maker: np.ndarray
    lateness: np.ndarray
    volume: np.ndarray
    sells: np.ndarray  # (managers, channels) bool
    channel_weight: np.ndarray  # (managers, channels)
    first_name: np.ndarray
    last_name: np.ndarray

    @property
    def size(self) -> int:
        return self.team.size

    def effective(self, manager: np.ndarray, work: np.ndarray) -> np.ndarray:
        """Who handles the work: a departed manager's clients pass to the team head."""
        gone = work >= self.fire_w[manager]
        return np.where(gone, self.heads[self.final_team[manager]], manager)


def _careers(rng: np.random.Generator, cal: WorkCalendar, slots: int, teams: int) -> Frame:
    """Hires, departures and successors, drawn around the extract period.

    Nobody leaves during the warm-up, so every manager the warm-up's stories refer to
    is still on the staff list of the extract.
    """
    start, end = epoch_day(cal.extract_start), epoch_day(cal.end)
    span = end - start
    is_head = np.arange(slots) < teams
    hired = start - rng.integers(30, 1500, slots)
    growth = ~is_head & (rng.random(slots) < 0.1)
    hired[growth] = start + rng.integers(0, max(1, span * 3 // 4), growth.sum())
    fired = np.full(slots, -1)
    leaves = ~is_head & ~growth & (rng.random(slots) < 0.22) & (span > 90)
    fired[leaves] = start + rng.integers(45, max(46, span - 30), leaves.sum())
    successor_hired = fired + rng.integers(10, 40, slots)
    has_successor = leaves & (successor_hired < end - 15)
    team = np.arange(slots) % teams
    return {
        "team": np.concatenate([team, team[has_successor]]),
        "is_head": np.concatenate([is_head, np.zeros(has_successor.sum(), bool)]),
        "hired": np.concatenate([hired, successor_hired[has_successor]]),
        "fired": np.concatenate([fired, np.full(has_successor.sum(), -1)]),
    }


def _team_moves(
    rng: np.random.Generator, cal: WorkCalendar, career: Frame, teams: int
) -> tuple[np.ndarray, np.ndarray]:
    size = career["team"].size
    first = np.maximum(career["hired"], epoch_day(cal.extract_start)) + 30
    last = np.where(career["fired"] >= 0, career["fired"], epoch_day(cal.end)) - 20
    eligible = np.nonzero(~career["is_head"] & (last > first))[0]
    # At least one move per chunk, so even tiny demo data shows team history.
    movers = rng.permutation(eligible)[: max(1, round(0.1 * eligible.size))]
    moves = np.isin(np.arange(size), movers) & (teams > 1)
    moved_on = np.where(moves, first + (rng.random(size) * (last - first)).astype(np.int64), -1)
    new_team = (career["team"] + 1 + rng.integers(0, max(1, teams - 1), size)) % teams
    return moved_on, np.where(moves, new_team, career["team"])


def _channels(
    rng: np.random.Generator, channels: tuple[str, ...], is_head: np.ndarray, skill: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    share = np.array([PROFILES.get(code, DEFAULT_PROFILE).seller_share for code in channels])
    sells = rng.random((is_head.size, len(channels))) < share
    sells |= is_head[:, None]
    if VIP_CHANNEL in channels:
        sells[:, channels.index(VIP_CHANNEL)] |= skill > 1.0
    weight = np.exp(rng.normal(0.0, 0.3, sells.shape))
    return sells, weight


def make_staff(
    rng: np.random.Generator, cal: WorkCalendar, unit_scale: float, channels: tuple[str, ...]
) -> Staff:
    slots = max(4, round(MANAGERS_PER_UNIT * unit_scale))
    teams = max(2, round(slots / TEAM_SIZE))
    career = _careers(rng, cal, slots, teams)
    size = career["team"].size
    moved_on, final_team = _team_moves(rng, cal, career, teams)
    is_head = career["is_head"]
    skill = np.where(is_head, rng.normal(0.8, 0.4, size), rng.normal(0.0, 1.0, size))
    sells, weight = _channels(rng, channels, is_head, skill)

    def noisy(scale: float) -> np.ndarray:
        return rng.normal(0.0, scale, size)

    def day_w(days: np.ndarray) -> np.ndarray:
        return cal.to_work(days * DAY_US + OPEN_SEC * SEC_US)

    fired = career["fired"]
    return Staff(
        team=career["team"],
        final_team=final_team,
        moved_on=moved_on,
        is_head=is_head,
        hired_on=career["hired"],
        fired_on=fired,
        hire_w=day_w(career["hired"]),
        fire_w=np.where(fired >= 0, day_w(np.maximum(fired, 0)), NEVER),
        heads=np.arange(teams),
        skill=skill,
        conversion=np.exp(0.2 * skill + noisy(0.05)),
        cycle=np.exp(-0.15 * skill + noisy(0.1)),
        activity=np.exp(0.15 * skill + noisy(0.12)),
        check=np.exp(0.15 * skill + noisy(0.1)),
        response_min=np.clip(np.exp(np.log(35.0) - 0.7 * skill + noisy(0.3)), 3.0, 600.0),
        unanswered=np.clip(0.06 - 0.03 * skill, 0.01, 0.2),
        fault=np.clip(0.25 - 0.1 * skill, 0.05, 0.5),
        decision_maker=np.clip(0.45 + 0.12 * skill, 0.1, 0.9),
        lateness=np.clip(0.2 - 0.08 * skill + noisy(0.03), 0.02, 0.5),
        volume=np.where(is_head, 0.5, 1.0),
        sells=sells,
        channel_weight=weight,
        first_name=rng.integers(0, 1 << 16, size),
        last_name=rng.integers(0, 1 << 16, size),
    )
