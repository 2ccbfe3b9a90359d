"""Monthly sales plans and cost of sales, set from what the company actually sold.

A plan mixes the manager's own month with the company's revenue per head and is
divided by a per-manager/month attainment factor that leans on skill.
"""

from __future__ import annotations

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.frames import Frame, concat
from orchestration.demo.funnel import ramp
from orchestration.demo.workdays import DAY_US

SALARY, COMMISSION, ADVERTISING, EVENTS, TOOLS, OTHER = range(6)
_KOPECKS = 100


def _rub_thousands(values: np.ndarray) -> np.ndarray:
    return np.rint(values / 1000).astype(np.int64) * 1000 * _KOPECKS


def presence(chunk: Chunk) -> np.ndarray:
    """(managers, months): share of each month a manager was employed, times ramp-up."""
    staff, cal = chunk.staff, chunk.cal
    low = np.maximum(cal.month_w[:-1][None, :], staff.hire_w[:, None])
    high = np.minimum(cal.month_w[1:][None, :], staff.fire_w[:, None])
    share = np.clip((high - low) / np.diff(cal.month_w)[None, :], 0, 1)
    middle = cal.start_us // DAY_US + 30 * np.arange(cal.months) + 15
    return share * ramp(middle[None, :] - staff.hired_on[:, None])


def month_starts(chunk: Chunk) -> np.ndarray:
    start = np.datetime64(chunk.cal.start, "M")
    months = start + np.arange(chunk.cal.months)
    return months.astype("datetime64[D]").astype(np.int64)


def sales_plans(chunk: Chunk, revenue: np.ndarray, won: np.ndarray, margin: float) -> Frame:
    """revenue: (managers, months, channels) RUB; won: (managers, months) won deals.

    The company's revenue per head (with ramp-up) is the baseline for a manager's month.
    """
    rng, staff = chunk.rng, chunk.staff
    weight = presence(chunk) * staff.volume[:, None]
    company = revenue.sum(axis=(0, 2)) / np.maximum(weight.sum(axis=0), 1e-9)
    won_rate = won.sum(axis=0) / np.maximum(weight.sum(axis=0), 1e-9)
    # Heads of sales plan from what a manager can be expected to sell; the expectation
    # leans on the manager's own month, so attainment lands around 60-130 %.
    attainment = rng.normal(0.95 + 0.12 * staff.skill[:, None], 0.12, weight.shape)
    attainment = np.clip(attainment, 0.55, 1.4)
    own = revenue.sum(axis=2)
    plan = (0.9 * own + 0.1 * weight * company[None, :]) / attainment
    expected_won = 0.9 * won + 0.1 * weight * won_rate[None, :]
    deals_plan = np.maximum(np.rint(expected_won / attainment), 1).astype(np.int64)
    mix = revenue.sum(axis=1) + staff.sells * 1.0
    mix = np.where(staff.sells, mix, 0)
    mix = mix / mix.sum(axis=1, keepdims=True)
    manager, month = np.nonzero(weight > 0)
    total = {
        "plan_month": month_starts(chunk)[month],
        "manager_id": manager,
        "channel_code": np.full(manager.size, -1),
        "revenue_plan": _rub_thousands(plan[manager, month]),
        "deals_plan": deals_plan[manager, month],
        "margin_plan": _rub_thousands(plan[manager, month] * margin),
        "currency": np.zeros(manager.size, np.int64),
    }
    row, channel = np.nonzero(staff.sells[manager])
    share = mix[manager[row], channel]
    by_channel = {
        "plan_month": total["plan_month"][row],
        "manager_id": manager[row],
        "channel_code": channel,
        "revenue_plan": _rub_thousands(plan[manager[row], month[row]] * share),
        "deals_plan": np.rint(deals_plan[manager[row], month[row]] * share).astype(np.int64),
        "margin_plan": _rub_thousands(plan[manager[row], month[row]] * share * margin),
        "currency": np.zeros(row.size, np.int64),
    }
    return concat(total, by_channel)


def sales_expenses(chunk: Chunk, revenue: np.ndarray, leads: np.ndarray) -> Frame:
    """leads: (months, channels) lead counts, the driver of advertising spend."""
    rng, staff = chunk.rng, chunk.staff
    employed = presence(chunk) > 0
    manager, month = np.nonzero(employed)
    base_salary = np.where(staff.is_head, 220_000, 90_000 * np.exp(0.15 * staff.skill))
    commission = revenue.sum(axis=2) * 0.05
    paid = commission[manager, month] > 0
    months, channels = leads.shape
    grid_month, grid_channel = np.meshgrid(np.arange(months), np.arange(channels), indexing="ij")
    grid_month, grid_channel = grid_month.ravel(), grid_channel.ravel()
    advertising = leads.ravel() * 900.0 * rng.uniform(0.8, 1.2, grid_month.size)
    events = rng.random(grid_month.size) < 0.3
    headcount = employed.sum(axis=0)
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
    frame = {name: values[positive] for name, values in frame.items()}
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
