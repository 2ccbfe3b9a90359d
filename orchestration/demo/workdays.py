"""Russian working-day calendar and a "working time" axis.

Most events happen only on working days between 09:00 and 19:00 Moscow time. Measuring
time in working seconds (ten hours a day, weekends and holidays removed) lets every delay
be drawn as plain arithmetic and still land inside working hours when mapped back.
"""

from __future__ import annotations

from datetime import date

import numpy as np

SEC_US = 1_000_000
DAY_SEC = 86_400
DAY_US = DAY_SEC * SEC_US
OPEN_SEC = 6 * 3600  # 09:00 Europe/Moscow (UTC+3, no DST) in UTC
WORK_SEC = 10 * 3600  # working day ends at 19:00 Moscow
HOLIDAYS = (*((1, day) for day in range(1, 9)), (2, 23), (3, 8), (5, 1), (5, 9), (6, 12), (11, 4))
_EPOCH = date(1970, 1, 1)
# Stories that start near the end of the period run past it; the calendar must reach
# far enough that their (later discarded) events still map to a day.
_PAD_DAYS = 5 * 366


def epoch_day(day: date) -> int:
    return (day - _EPOCH).days


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def working_mask(days: np.ndarray) -> np.ndarray:
    """True for Monday-Friday days that are not Russian public holidays."""
    as_dates = days.astype("datetime64[D]")
    month_day = (as_dates - as_dates.astype("datetime64[M]")).astype(np.int64) + 1
    month = as_dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    holiday = np.zeros(days.shape, dtype=bool)
    for hol_month, hol_day in HOLIDAYS:
        holiday |= (month == hol_month) & (month_day == hol_day)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday = 0
    return (weekday < 5) & ~holiday


class WorkCalendar:
    """Maps UTC timestamps (int64 microseconds) to working seconds and back.

    The calendar covers the simulated time: ``warmup`` months before the extract period
    [extract_start, end), so that the company is in mid-life when the period begins.
    ``start``, ``months`` and ``month_w`` describe the whole simulated span.
    """

    def __init__(self, start: date, months: int, warmup: int = 0) -> None:
        self.extract_start = start.replace(day=1)
        self.warmup = warmup
        self.start = add_months(self.extract_start, -warmup)
        self.end = add_months(self.extract_start, months)
        self.months = warmup + months
        days = np.arange(epoch_day(self.start), epoch_day(self.end) + _PAD_DAYS, dtype=np.int64)
        self.days = days[working_mask(days)]
        self.start_us = epoch_day(self.start) * DAY_US
        self.end_us = epoch_day(self.end) * DAY_US
        self.end_w = self.to_work(np.array([self.end_us]))[0]
        month_starts = [
            epoch_day(add_months(self.start, m)) * DAY_US for m in range(self.months + 1)
        ]
        self.month_w = self.to_work(np.array(month_starts, dtype=np.int64))
        self.extract_us = epoch_day(self.extract_start) * DAY_US
        self.extract_w = self.month_w[warmup]

    def to_work(self, ts: np.ndarray) -> np.ndarray:
        """Working seconds of a timestamp; off-hours times move to the next opening."""
        day = ts // DAY_US
        sec = (ts % DAY_US) // SEC_US
        index = np.searchsorted(self.days, day)
        on_day = self.days[np.minimum(index, len(self.days) - 1)] == day
        late = on_day & (sec >= OPEN_SEC + WORK_SEC)
        inside = on_day & (sec >= OPEN_SEC) & ~late
        offset = np.where(inside, sec - OPEN_SEC, 0)
        return (index + late) * WORK_SEC + offset

    def from_work(self, work: np.ndarray) -> np.ndarray:
        index = np.minimum(work // WORK_SEC, len(self.days) - 1)
        return (self.days[index] * DAY_SEC + OPEN_SEC + work % WORK_SEC) * SEC_US

    def month_of(self, ts: np.ndarray) -> np.ndarray:
        """Month number within the simulated span (0 = first month) of timestamps."""
        months = ts.astype("datetime64[us]").astype("datetime64[M]").astype(np.int64)
        return months - (self.start.year - 1970) * 12 - (self.start.month - 1)

    def weekday_w(self, work: np.ndarray) -> np.ndarray:
        index = np.minimum(work // WORK_SEC, len(self.days) - 1)
        return (self.days[index] + 3) % 7
