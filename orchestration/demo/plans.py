"""Monthly sales plans and cost of sales.

A head of sales plans a manager's month from what the manager can be expected to sell:
the company's revenue per full-time seller that month (its season and trend), times the
share of the month the manager works and their workload (heads sell half time), times
the ramp-up of a new hire's revenue, times the manager's run rate against an average
seller's. The run rate is pulled towards the average, so strong sellers beat their plans
and weak ones miss them, within reach; single months still swing with lumpy deals.
"""

from __future__ import annotations

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.frames import Frame, concat, take
from orchestration.demo.funnel import ramp

SALARY, COMMISSION, ADVERTISING, EVENTS, TOOLS, OTHER = range(6)
_KOPECKS = 100
_THOUSAND = 1000
TRACK_RECORD = 0.8  # weight of the manager's record against the average seller's
# A new hire's money follows their leads by about a sales cycle.
_REVENUE_LAG_DAYS = 50
_FIRST_MONTH = 0.05  # before any deal of a new hire can close
_RUN_RATE_MONTHS = 2  # on either side of the planned month
_FLOOR = 1e-9


def employed(chunk: Chunk) -> np.ndarray:
    """(managers, months): share of each month a manager was employed."""
    staff, cal = chunk.staff, chunk.cal
    low = np.maximum(cal.month_w[:-1][None, :], staff.hire_w[:, None])
    high = np.minimum(cal.month_w[1:][None, :], staff.fire_w[:, None])
    return np.clip((high - low) / np.diff(cal.month_w)[None, :], 0, 1)


def month_starts(chunk: Chunk) -> np.ndarray:
    start = np.datetime64(chunk.cal.start, "M")
    months = start + np.arange(chunk.cal.months)
    return months.astype("datetime64[D]").astype(np.int64)


def _capacity(chunk: Chunk) -> np.ndarray:
    """(managers, months): full-time sellers' worth of expected revenue."""
    staff = chunk.staff
    middle = month_starts(chunk) + 15
    tenure = middle[None, :] - staff.hired_on[:, None] - _REVENUE_LAG_DAYS
    revenue_ramp = np.where(tenure < 0, _FIRST_MONTH, ramp(tenure))
    return employed(chunk) * revenue_ramp * staff.volume[:, None]


def _rolling(values: np.ndarray) -> np.ndarray:
    """Sums over the months around each month, along axis 1."""
    padded = np.pad(values, ((0, 0), (_RUN_RATE_MONTHS + 1, _RUN_RATE_MONTHS)))
    total = np.cumsum(padded, axis=1)
    return total[:, 2 * _RUN_RATE_MONTHS + 1 :] - total[:, : -2 * _RUN_RATE_MONTHS - 1]


def expected_revenue(chunk: Chunk, revenue: np.ndarray) -> np.ndarray:
    """(managers, months) RUB a head of sales expects from revenue (managers, months, channels).

    The record is the manager's run rate over the months around, against an average
    seller's in the same months; it follows a new hire's ramp-up and the customers a
    head takes over from leavers.
    """
    capacity = _capacity(chunk)
    own = revenue.sum(axis=2)
    per_seller = own.sum(axis=0) / np.maximum(capacity.sum(axis=0), _FLOOR)
    average = capacity * per_seller[None, :]
    record = _rolling(own) / np.maximum(_rolling(average), _FLOOR)
    return average * np.maximum(record, 1e-3) ** TRACK_RECORD


def _channel_mix(chunk: Chunk, revenue: np.ndarray) -> np.ndarray:
    """(managers, channels): the manager's own mix, leaning on the company's for little record."""
    sells = chunk.staff.sells
    own = revenue.sum(axis=1) * sells
    mine = own / np.maximum(own.sum(axis=1, keepdims=True), _FLOOR)
    company = own.sum(axis=0) / max(own.sum(), _FLOOR)
    weight = sells * (mine + 0.3 * company[None, :] + 1e-6)
    return weight / weight.sum(axis=1, keepdims=True)


def _split(total: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Whole-number parts of each row's total in proportion to the weights, adding up exactly."""
    exact = total[:, None] * weight / weight.sum(axis=1, keepdims=True)
    part = np.floor(exact).astype(np.int64)
    short = total - part.sum(axis=1)
    # The units lost to rounding down go to the largest remainders.
    rank = np.argsort(np.argsort(part - exact, axis=1, kind="stable"), axis=1)
    return part + (rank < short[:, None])


def _per_won_deal(revenue: np.ndarray, won: np.ndarray) -> np.ndarray:
    """(channels,) RUB per won deal; the overall figure for channels without a win."""
    by_channel, wins = revenue.sum(axis=(0, 1)), won.sum(axis=(0, 1))
    overall = max(by_channel.sum() / max(wins.sum(), 1), 1.0)
    return np.where(wins > 0, np.maximum(by_channel / np.maximum(wins, 1), 1.0), overall)


def _thousands(rub: np.ndarray) -> np.ndarray:
    return np.rint(rub / _THOUSAND).astype(np.int64)


def sales_plans(chunk: Chunk, revenue: np.ndarray, won: np.ndarray, margin: float) -> Frame:
    """revenue: (managers, months, channels) RUB; won: won deals, same shape.

    Channel rows add up exactly to the manager's all-channel row; deals follow from the
    revenue plan and each channel's revenue per won deal, margin from the company's margin.
    """
    manager, month = np.nonzero(employed(chunk) > 0)
    plan = expected_revenue(chunk, revenue)[manager, month]
    mix = _channel_mix(chunk, revenue)[manager]
    deals_per_rub = mix / _per_won_deal(revenue, won)[None, :]
    deals = np.maximum(np.rint(plan * deals_per_rub.sum(axis=1)), 1).astype(np.int64)
    money = _THOUSAND * _KOPECKS
    parts = {
        "revenue_plan": _split(np.maximum(_thousands(plan), 1), mix) * money,
        "deals_plan": _split(deals, deals_per_rub),
        "margin_plan": _split(_thousands(plan * margin), mix) * money,
    }
    total = {
        "plan_month": month_starts(chunk)[month],
        "manager_id": manager,
        "channel_code": np.full(manager.size, -1),
        **{name: values.sum(axis=1) for name, values in parts.items()},
        "currency": np.zeros(manager.size, np.int64),
    }
    row, channel = np.nonzero(chunk.staff.sells[manager])
    channels = {
        "plan_month": total["plan_month"][row],
        "manager_id": manager[row],
        "channel_code": channel,
        **{name: values[row, channel] for name, values in parts.items()},
        "currency": np.zeros(row.size, np.int64),
    }
    return concat(total, channels)


def sales_expenses(chunk: Chunk, revenue: np.ndarray, leads: np.ndarray) -> Frame:
    """leads: (months, channels) lead counts, the driver of advertising spend."""
    rng, staff = chunk.rng, chunk.staff
    employed_months = employed(chunk) > 0
    manager, month = np.nonzero(employed_months)
    base_salary = np.where(staff.is_head, 220_000, 90_000 * np.exp(0.15 * staff.skill))
    commission = revenue.sum(axis=2) * 0.05
    paid = commission[manager, month] > 0
    months, channels = leads.shape
    grid_month, grid_channel = np.meshgrid(np.arange(months), np.arange(channels), indexing="ij")
    grid_month, grid_channel = grid_month.ravel(), grid_channel.ravel()
    advertising = leads.ravel() * 900.0 * rng.uniform(0.8, 1.2, grid_month.size)
    events = rng.random(grid_month.size) < 0.3
    headcount = employed_months.sum(axis=0)
    parts = [
        _expenses(month, manager, -1, SALARY, base_salary[manager]),
        _expenses(month[paid], manager[paid], -1, COMMISSION, commission[manager, month][paid]),
        _expenses(grid_month, -1, grid_channel, ADVERTISING, advertising),
        _expenses(
            grid_month[events],
            -1,
            grid_channel[events],
            EVENTS,
            rng.uniform(80_000, 400_000, events.sum()),
        ),
        _expenses(np.arange(months), -1, -1, TOOLS, headcount * 3_500.0),
        _expenses(np.arange(months), -1, -1, OTHER, rng.uniform(60_000, 120_000, months)),
    ]
    frame = concat(*parts)
    positive = np.nonzero(frame["amount"] > 0)[0]
    frame = take(frame, positive)
    frame["expense_month"] = month_starts(chunk)[frame.pop("_month")]
    frame["expense_id"] = np.arange(positive.size)
    return frame


def _expenses(
    month: np.ndarray,
    manager: np.ndarray | int,
    channel: np.ndarray | int,
    category: int,
    rub: np.ndarray,
) -> Frame:
    size = month.size
    return {
        "_month": month,
        "manager_id": np.broadcast_to(manager, size).astype(np.int64),
        "channel_code": np.broadcast_to(channel, size).astype(np.int64),
        "category": np.full(size, category),
        "amount": np.rint(rub).astype(np.int64) * _KOPECKS,
        "currency": np.zeros(size, np.int64),
    }
