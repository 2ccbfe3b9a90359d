"""Daily exchange rates: a bounded random walk, published only on working days."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.frames import Frame
from orchestration.demo.profiles import CURRENCIES, FX_LEVELS
from orchestration.demo.workdays import DAY_US, WorkCalendar, epoch_day, working_mask

RATE_UNITS = 10**8  # decimal(18,8)


@dataclass(frozen=True)
class Rates:
    first_day: int  # epoch day of rates[:, 0]
    rates: np.ndarray  # (currencies, days) RUB per unit; RUB row is 1

    def at(self, currency: np.ndarray, ts: np.ndarray) -> np.ndarray:
        day = np.clip(ts // DAY_US - self.first_day, 0, self.rates.shape[1] - 1)
        return self.rates[currency, day]


def make_rates(rng: np.random.Generator, cal: WorkCalendar) -> Rates:
    """Rates from the warm-up's start: records alive at the period's start may be older."""
    days = epoch_day(cal.end) - epoch_day(cal.start)
    rows = [np.ones(days)]
    for code in CURRENCIES[1:]:
        level, low, high = FX_LEVELS[code]
        walk = np.log(level) + np.cumsum(rng.normal(0.0, 0.006, days))
        rows.append(np.exp(_fold(walk, np.log(low), np.log(high))))
    return Rates(epoch_day(cal.start), np.vstack(rows))


def _fold(values: np.ndarray, low: float, high: float) -> np.ndarray:
    """Reflects a random walk at the band edges so it stays realistic for years."""
    phase = np.mod((values - low) / (high - low), 2.0)
    return low + (high - low) * np.where(phase > 1.0, 2.0 - phase, phase)


def fx_frame(rates: Rates, reporting: int) -> Frame:
    """Published rates: working days plus the first day, so every date has an earlier rate.

    Each rate is units of the reporting currency per unit of another currency; the walks
    are in RUB, so a rate against any other reporting currency is their cross rate.
    """
    days = rates.first_day + np.arange(rates.rates.shape[1])
    published = working_mask(days)
    published[0] = True
    rated = np.array([code for code in range(len(CURRENCIES)) if code != reporting])
    day_index = np.nonzero(published)[0]
    grid_cur, grid_day = np.meshgrid(rated, day_index, indexing="ij")
    cross = (
        rates.rates[grid_cur.ravel(), grid_day.ravel()] / rates.rates[reporting, grid_day.ravel()]
    )
    return {
        "rate_date": days[grid_day.ravel()],
        "currency": grid_cur.ravel(),
        "rate_to_base": np.rint(cross * RATE_UNITS).astype(np.int64),
    }
