"""Leads, clients and deals of one chunk: each deal's whole story in working time."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.frames import NEVER
from orchestration.demo.profiles import (
    CLIENT_CURRENCY_SHARE,
    REPEAT_CHANNEL,
    SEASON,
    WEEKDAY,
)
from orchestration.demo.workdays import DAY_US, SEC_US, WORK_SEC

OPEN, WON, LOST = 0, 1, 2
REPEAT_RATE = 0.15  # chance per month that a customer who has just bought buys again
# Customers drift away: the chance fades with the months since their last purchase,
# which keeps the customer base, and repeat business, at a steady size.
LAPSE_MONTHS = 4.0
MONTH_W = 21 * WORK_SEC  # a month in working seconds
_PAY_PROBABILITY = 0.9
_LATE_PAYERS = 0.2
_DUE_DAYS = np.array([7, 14, 30])


def exp_days(rng: np.random.Generator, mean_days: np.ndarray | float, size: int) -> np.ndarray:
    return (rng.exponential(1.0, size) * mean_days * WORK_SEC).astype(np.int64)


def uniform_w(rng: np.random.Generator, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    return low + (rng.random(low.size) * np.maximum(high - low, 0)).astype(np.int64)


@dataclass(frozen=True)
class Leads:
    manager: np.ndarray  # assigned manager (-1: nobody picked it up)
    owner: np.ndarray  # manager whose numbers the lead counts for
    channel: np.ndarray
    source: np.ndarray  # index into the channel's sources
    created_ts: np.ndarray
    touch_w: np.ndarray  # first completed outbound activity, NEVER if unanswered
    qualified_w: np.ndarray
    deal_w: np.ndarray
    disqualified_w: np.ndarray
    early_version: np.ndarray  # re-sent later: an earlier state arrives first


@dataclass(frozen=True)
class Deals:
    lead: np.ndarray  # -1 for repeat deals
    client: np.ndarray
    manager: np.ndarray  # who opened the deal
    channel: np.ndarray
    created_w: np.ndarray
    is_competitive: np.ndarray
    entry_w: np.ndarray  # (deals, stages): when the deal entered a stage, -1 if never
    status: np.ndarray
    stage: np.ndarray
    closed_w: np.ndarray
    reason: np.ndarray
    last_w: np.ndarray
    due_day: np.ndarray  # of the invoice, -1 without one
    moves: dict[str, np.ndarray]  # deal, from_stage, to_stage, w


def ramp(cal_days_since_hire: np.ndarray) -> np.ndarray:
    """New hires reach full output over about three months."""
    return np.clip(0.2 + cal_days_since_hire / 110.0, 0.2, 1.0)


def _lead_slots(chunk: Chunk) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Manager, channel and working time of every lead, month by month."""
    staff, cal, rng = chunk.staff, chunk.cal, chunk.rng
    base = chunk.channel_array("leads_per_month")
    managers, channels, times = [], [], []
    for month in range(cal.months):
        low = np.maximum(cal.month_w[month], staff.hire_w)
        high = np.minimum(cal.month_w[month + 1], staff.fire_w)
        share = np.clip((high - low) / (cal.month_w[month + 1] - cal.month_w[month]), 0, 1)
        middle = cal.start_us // DAY_US + 30 * month + 15
        season = SEASON[(cal.start.month - 1 + month) % 12]
        rate = (share * ramp(middle - staff.hired_on) * staff.activity * staff.volume)[:, None]
        rate = rate * base * season * staff.sells * staff.channel_weight
        flat = np.repeat(np.arange(rate.size), rng.poisson(rate).ravel())
        manager = flat // len(chunk.channels)
        managers.append(manager)
        channels.append(flat % len(chunk.channels))
        times.append(_weekday_times(chunk, low[manager], high[manager]))
    return np.concatenate(managers), np.concatenate(channels), np.concatenate(times)


def _weekday_times(chunk: Chunk, low: np.ndarray, high: np.ndarray) -> np.ndarray:
    """Uniform working times, thinned once so Mondays get more than Fridays."""
    rng = chunk.rng
    times = uniform_w(rng, low, high)
    redraw = rng.random(times.size) > WEEKDAY[chunk.cal.weekday_w(times)]
    times[redraw] = uniform_w(rng, low[redraw], high[redraw])
    return times


def make_leads(chunk: Chunk) -> Leads:
    staff, cal, rng = chunk.staff, chunk.cal, chunk.rng
    manager, channel, work = _lead_slots(chunk)
    size = manager.size
    created = cal.from_work(work) + rng.integers(0, 60, size) * SEC_US
    inbound = channel == chunk.channel("inbound")
    # Web requests also arrive in the evening and at weekends.
    off_hours = inbound & (rng.random(size) < 0.25)
    shifted = created - rng.integers(1, 15 * 3600, size) * SEC_US
    floor = np.maximum(cal.start_us, cal.from_work(staff.hire_w[manager]))
    created = np.where(off_hours & (shifted >= floor), shifted, created)
    base_w = cal.to_work(created)
    answered = ~inbound | (rng.random(size) >= staff.unanswered[manager])
    response = np.exp(rng.normal(np.log(staff.response_min[manager] * 60), 0.8))
    delay = np.where(inbound, response, np.exp(rng.normal(np.log(7200.0), 0.7, size)))
    delay = np.where(channel == chunk.channel("active"), 0, delay).astype(np.int64)
    touch = np.where(answered, base_w + delay, NEVER)
    cycle = chunk.channel_array("stage_days")[channel] * staff.cycle[manager]
    qualify = chunk.channel_array("qualify")[channel] * staff.conversion[manager]
    qualifies = answered & (rng.random(size) < np.minimum(qualify, 0.95))
    qualified = np.where(qualifies, touch + exp_days(rng, 0.5 * cycle, size) + 600, NEVER)
    converts = qualifies & (rng.random(size) < chunk.channel_array("convert")[channel])
    deal = np.where(converts, qualified + exp_days(rng, 0.4, size) + 60, NEVER)
    decided_from = np.where(qualifies, qualified, np.where(answered, touch, base_w))
    give_up = np.where(answered, 1.2 * cycle, 15.0)
    disqualified = decided_from + exp_days(rng, give_up, size) + 600
    forgotten = ~answered & (rng.random(size) < 0.5)
    disqualified = np.where(converts | forgotten, NEVER, disqualified)
    unassigned = ~answered & (rng.random(size) < 0.3)
    sources = np.array([len(profile.sources) for profile in chunk.profiles])
    return Leads(
        manager=np.where(unassigned, -1, manager),
        owner=manager,
        channel=channel,
        source=(rng.random(size) * sources[channel]).astype(np.int64),
        created_ts=created,
        touch_w=touch,
        qualified_w=qualified,
        deal_w=deal,
        disqualified_w=disqualified,
        early_version=rng.random(size) < 0.25,
    )


@dataclass(frozen=True)
class Clients:
    lead: np.ndarray  # the lead the client came with
    owner: np.ndarray
    created_ts: np.ndarray
    currency: np.ndarray


def make_clients(chunk: Chunk, leads: Leads) -> Clients:
    """A prospect becomes a client record when its lead turns into a deal."""
    lead = np.nonzero(leads.deal_w < chunk.cal.end_w)[0]
    currency = chunk.rng.choice(len(CLIENT_CURRENCY_SHARE), lead.size, p=CLIENT_CURRENCY_SHARE)
    return Clients(lead, leads.owner[lead], leads.created_ts[lead], currency)


def simulate(
    chunk: Chunk,
    lead: np.ndarray,
    client: np.ndarray,
    manager: np.ndarray,
    channel: np.ndarray,
    *,
    created_w: np.ndarray,
) -> Deals:
    """Moves every deal through the stages until it is won, lost or the period ends."""
    rng, pipe, end = chunk.rng, chunk.pipeline, chunk.cal.end_w
    size = lead.size
    competitive = rng.random(size) < chunk.channel_array("competitive")[channel]
    entry = np.full((size, len(pipe.codes)), -1, dtype=np.int64)
    entry[:, 0] = created_w
    moves = [(np.arange(size), np.full(size, -1), np.zeros(size, np.int64), created_w)]
    state = {
        "stage": np.zeros(size, np.int64),
        "w": created_w.copy(),
        "alive": np.ones(size, bool),
        "status": np.zeros(size, np.int64),
        "closed": np.full(size, -1, np.int64),
    }
    while True:
        index = np.nonzero(state["alive"] & (state["stage"] < pipe.invoice))[0]
        if index.size == 0:
            break
        moves.append(_advance(chunk, state, entry, index, deal_of=(manager, channel, competitive)))
    due_day = _invoice_outcome(chunk, state, entry, manager, moves)
    reason = _lost_reasons(chunk, state["status"] == LOST, manager, competitive)
    move = {
        name: np.concatenate([m[i] for m in moves])
        for i, name in enumerate(("deal", "from_stage", "to_stage", "w"))
    }
    move = {name: values[move["w"] < end] for name, values in move.items()}
    last = np.full(size, -1, np.int64)
    np.maximum.at(last, move["deal"], move["w"])
    return Deals(
        lead,
        client,
        manager,
        channel,
        created_w,
        competitive,
        entry,
        state["status"],
        state["stage"],
        state["closed"],
        reason,
        last,
        due_day,
        move,
    )


def _advance(
    chunk: Chunk,
    state: dict[str, np.ndarray],
    entry: np.ndarray,
    index: np.ndarray,
    *,
    deal_of: tuple[np.ndarray, np.ndarray, np.ndarray],
) -> tuple[np.ndarray, ...]:
    manager, channel, competitive = deal_of
    rng, pipe, end = chunk.rng, chunk.pipeline, chunk.cal.end_w
    staff = chunk.staff
    chan, mgr = channel[index], manager[index]
    current = state["stage"][index]
    target = current + 1
    skip = chunk.channel_array("skip")[chan]
    for stage in pipe.skippable:
        target += (target == stage) & (rng.random(index.size) < skip)
    mean_days = chunk.channel_array("stage_days")[chan] * staff.cycle[mgr]
    when = state["w"][index] + exp_days(rng, mean_days, index.size) + 600
    pass_table = np.array([profile.stage_pass for profile in chunk.profiles])
    base = pass_table[chan, np.minimum(target, pipe.invoice) - 1]
    base = np.where(competitive[index] & (target >= pipe.proposal), base * 0.92, base)
    passes = rng.random(index.size) < 1.0 - (1.0 - base) / staff.conversion[mgr]
    inside = when < end
    to_stage = np.where(passes, target, pipe.lost)
    moved = index[inside]
    state["alive"][index[~inside]] = False
    lost = moved[~passes[inside]]
    state["alive"][lost] = False
    state["status"][lost] = LOST
    state["closed"][lost] = when[inside][~passes[inside]]
    state["stage"][moved] = to_stage[inside]
    state["w"][moved] = when[inside]
    advanced = inside & passes
    entry[index[advanced], target[advanced]] = when[advanced]
    return moved, current[inside], to_stage[inside], when[inside]


def _invoice_outcome(
    chunk: Chunk,
    state: dict[str, np.ndarray],
    entry: np.ndarray,
    manager: np.ndarray,
    moves: list[tuple[np.ndarray, ...]],
) -> np.ndarray:
    """Invoiced deals are won on the first payment or lost with the invoice cancelled.

    Returns each deal's due day (-1 without an invoice).
    """
    rng, pipe, cal = chunk.rng, chunk.pipeline, chunk.cal
    size = state["stage"].size
    due_day = np.full(size, -1, np.int64)
    index = np.nonzero(state["alive"] & (state["stage"] == pipe.invoice))[0]
    issued = entry[index, pipe.invoice]
    due = cal.from_work(issued) // DAY_US + rng.choice(_DUE_DAYS, index.size, p=(0.3, 0.5, 0.2))
    due_day[index] = due
    is_late = rng.random(index.size) < _LATE_PAYERS * chunk.staff.cycle[manager[index]]
    due_w = cal.to_work(due * DAY_US)
    on_time = issued + (rng.uniform(0.05, 0.95, index.size) * (due_w - issued)).astype(np.int64)
    overdue = cal.to_work((due + 1) * DAY_US) + exp_days(rng, 8.0, index.size) + 600
    paid = np.where(is_late, overdue, on_time) + 60
    pays = rng.random(index.size) < _PAY_PROBABILITY
    when = np.where(pays, paid, issued + exp_days(rng, 12.0, index.size) + 3600)
    inside = when < cal.end_w
    done = index[inside]
    won = pays[inside]
    state["status"][done] = np.where(won, WON, LOST)
    state["stage"][done] = np.where(won, pipe.won, pipe.lost)
    state["closed"][done] = when[inside]
    moves.append((done, np.full(done.size, pipe.invoice), state["stage"][done], when[inside]))
    return due_day


def _lost_reasons(
    chunk: Chunk, lost: np.ndarray, manager: np.ndarray, competitive: np.ndarray
) -> np.ndarray:
    """Weak managers lose more deals for reasons that are their own fault."""
    rng, fault = chunk.rng, chunk.reason_fault
    size = lost.size
    own = np.nonzero(fault)[0]
    other = np.nonzero(~fault)[0]
    pick_own = own[rng.integers(0, max(own.size, 1), size) % max(own.size, 1)] if own.size else -1
    pick_other = other[rng.integers(0, other.size, size)]
    if "competitor" in chunk.reason_codes:
        rival = competitive & (rng.random(size) < 0.5)
        pick_other = np.where(rival, chunk.reason_codes.index("competitor"), pick_other)
    is_own = (rng.random(size) < chunk.staff.fault[manager]) & (own.size > 0)
    return np.where(lost, np.where(is_own, pick_own, pick_other), -1)


def _customers(
    client: np.ndarray, owner: np.ndarray, closed: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each customer once, with the owner of its first purchase and its last purchase."""
    order = np.lexsort((closed, client))
    client, owner, closed = client[order], owner[order], closed[order]
    change = client[1:] != client[:-1]
    first = np.ones(client.size, bool)
    first[1:] = change
    last = np.ones(client.size, bool)
    last[:-1] = change
    return client[first], owner[first], closed[last]


def repeat_deals(chunk: Chunk, won: tuple[np.ndarray, np.ndarray, np.ndarray]) -> list[Deals]:
    """Customers buy again: each month some clients with an earlier win return."""
    client, owner, closed = won
    channel = chunk.channel(REPEAT_CHANNEL)
    cal, rng, staff = chunk.cal, chunk.rng, chunk.staff
    batches: list[Deals] = []
    if channel < 0:
        return batches
    for month in range(1, cal.months):
        start, stop = cal.month_w[month], cal.month_w[month + 1]
        known = closed < start
        customers, customer_owner, last = _customers(client[known], owner[known], closed[known])
        season = SEASON[(cal.start.month - 1 + month) % 12]
        fading = np.exp(-(start - last) / MONTH_W / LAPSE_MONTHS)
        buys = rng.random(customers.size) < REPEAT_RATE * season * fading
        created = uniform_w(rng, np.full(buys.sum(), start), np.full(buys.sum(), stop))
        manager = staff.effective(customer_owner[buys], created)
        deals = simulate(
            chunk,
            np.full(created.size, -1),
            customers[buys],
            manager,
            np.full(created.size, channel),
            created_w=created,
        )
        batches.append(deals)
        is_won = deals.status == WON
        client = np.concatenate([client, deals.client[is_won]])
        owner = np.concatenate([owner, deals.manager[is_won]])
        closed = np.concatenate([closed, deals.closed_w[is_won]])
    return batches


def combine(batches: list[Deals]) -> Deals:
    """One Deals from several simulation batches, renumbering the moves' deal index."""
    offsets = np.cumsum([0] + [batch.lead.size for batch in batches])
    moves = {
        name: np.concatenate(
            [
                batch.moves[name] + (offset if name == "deal" else 0)
                for batch, offset in zip(batches, offsets, strict=False)
            ]
        )
        for name in batches[0].moves
    }
    arrays = {
        name: np.concatenate([getattr(batch, name) for batch in batches])
        for name in Deals.__dataclass_fields__
        if name != "moves"
    }
    return Deals(**arrays, moves=moves)
