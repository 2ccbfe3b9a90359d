"""Calls, e-mails, meetings and presentations around leads, deals and customers."""

from __future__ import annotations

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.crm import with_versions
from orchestration.demo.frames import Frame, concat, take
from orchestration.demo.funnel import LAPSE_MONTHS, MONTH_W, OPEN, WON, Deals, Leads, uniform_w
from orchestration.demo.workdays import WORK_SEC

CALL, EMAIL, MEETING, PRESENTATION, MESSAGE = range(5)
COMPLETED, NO_ANSWER, SCHEDULED, CANCELLED = range(4)
SALES, GREETING, SURVEY, SERVICE = range(4)
# Per open stage (lead, contact, meeting, proposal, contract, invoice): mean activities
# and the mix of call, e-mail, meeting, presentation, message.
_STAGE_RATE = np.array([1.5, 3.1, 3.3, 3.1, 2.4, 1.5])
_STAGE_MIX = np.array(
    [
        [0.6, 0.3, 0.0, 0.0, 0.1],
        [0.55, 0.25, 0.05, 0.0, 0.15],
        [0.3, 0.15, 0.45, 0.05, 0.05],
        [0.25, 0.35, 0.1, 0.25, 0.05],
        [0.4, 0.35, 0.2, 0.0, 0.05],
        [0.45, 0.45, 0.0, 0.0, 0.1],
    ]
)
_LEAD_MIX = np.array([0.65, 0.25, 0.0, 0.0, 0.1])
_CARE_PER_MONTH = 1.0  # greetings and service contacts with a customer who has just bought
_CARE_MIX = {GREETING: np.array([0.2, 0.3, 0.0, 0.0, 0.5]), SERVICE: np.array([0.6, 0.4, 0, 0, 0])}


def _pick(rng: np.random.Generator, mix: np.ndarray) -> np.ndarray:
    """One category per row from per-row probability rows."""
    cumulative = np.cumsum(mix, axis=1)
    draw = rng.random(mix.shape[0])[:, None] * cumulative[:, -1:]
    return (draw > cumulative).sum(axis=1)


def _rows(
    chunk: Chunk,
    owner: np.ndarray,
    when: np.ndarray,
    kind: np.ndarray,
    purpose: int,
    *,
    links: tuple[np.ndarray, np.ndarray, np.ndarray],
    floor: np.ndarray,
) -> Frame:
    """Activity rows: outcome, direction, booking time and duration follow the type."""
    rng, staff, cal = chunk.rng, chunk.staff, chunk.cal
    size = owner.size
    manager = staff.effective(owner, when)
    face = (kind == MEETING) | (kind == PRESENTATION)
    inbound = ~face & (rng.random(size) < 0.15)
    roll = rng.random(size)
    status = np.select(
        [(kind == CALL) & ~inbound & (roll < 0.28), face & (roll < 0.06)],
        [NO_ANSWER, CANCELLED],
        default=COMPLETED,
    )
    lead_time = (rng.uniform(0.3, 4.0, size) * WORK_SEC).astype(np.int64)
    booked = np.where(face, np.maximum(when - lead_time, floor), when)
    duration = np.select(
        [kind == CALL, kind == MEETING, kind == PRESENTATION],
        [
            rng.lognormal(np.log(240), 0.7, size),
            rng.uniform(1800, 7200, size),
            rng.uniform(1800, 5400, size),
        ],
        default=-1,
    ).astype(np.int64)
    completed = status == COMPLETED
    with_dm = np.where(
        face,
        rng.random(size) < staff.decision_maker[manager],
        (kind == CALL) & (rng.random(size) < 0.1),
    )
    client, lead, deal = links
    return {
        "type": kind,
        "direction": inbound.astype(np.int64),
        "status": status,
        "purpose": np.full(size, purpose),
        "manager_id": manager,
        "client_id": client,
        "lead_id": lead,
        "deal_id": deal,
        "with_decision_maker": with_dm & completed,
        "created_at": cal.from_work(booked),
        "occurred_at": np.where(completed, cal.from_work(when), -1),
        "duration_sec": np.where(completed, np.clip(duration, -1, 4 * 3600), -1),
        "updated_at": cal.from_work(when),
    }


def _lead_activities(chunk: Chunk, leads: Leads, lead_client: np.ndarray) -> Frame:
    rng, cal = chunk.rng, chunk.cal
    end = cal.end_w
    touched = np.nonzero(leads.touch_w < end)[0]
    first = _rows(
        chunk,
        leads.owner[touched],
        leads.touch_w[touched],
        np.where(rng.random(touched.size) < 0.7, CALL, EMAIL),
        SALES,
        links=(lead_client[touched], touched, np.full(touched.size, -1)),
        floor=leads.touch_w[touched],
    )
    # The first touch is the answer to the lead: always an outbound contact that happened.
    first["status"][:] = COMPLETED
    first["direction"][:] = 0
    first["occurred_at"] = first["updated_at"]
    stop = np.minimum(np.minimum(leads.deal_w, leads.disqualified_w), end)
    attempts = rng.poisson(chunk.channel_array("lead_attempts")[leads.channel[touched]])
    lead = np.repeat(touched, attempts)
    when = uniform_w(rng, leads.touch_w[lead], np.maximum(stop[lead], leads.touch_w[lead]))
    more = _rows(
        chunk,
        leads.owner[lead],
        when,
        _pick(rng, np.tile(_LEAD_MIX, (lead.size, 1))),
        SALES,
        links=(lead_client[lead], lead, np.full(lead.size, -1)),
        floor=leads.touch_w[lead],
    )
    return concat(first, more, _unanswered_attempts(chunk, leads, stop))


def _unanswered_attempts(chunk: Chunk, leads: Leads, stop: np.ndarray) -> Frame:
    """Calls that never got through on leads nobody answered in time."""
    rng, cal = chunk.rng, chunk.cal
    waiting = np.nonzero((leads.touch_w >= cal.end_w) & (leads.manager >= 0))[0]
    lead = np.repeat(waiting, rng.poisson(0.5, waiting.size))
    low = cal.to_work(leads.created_ts[lead])
    when = uniform_w(rng, low, np.minimum(stop[lead], low + 10 * WORK_SEC))
    rows = _rows(
        chunk,
        leads.owner[lead],
        when,
        np.full(lead.size, CALL),
        SALES,
        links=(np.full(lead.size, -1), lead, np.full(lead.size, -1)),
        floor=low,
    )
    rows["status"][:] = NO_ANSWER
    rows["direction"][:] = 0
    rows["occurred_at"][:] = -1
    rows["duration_sec"][:] = -1
    rows["with_decision_maker"][:] = False
    return rows


def _deal_activities(chunk: Chunk, deals: Deals, intervals: Frame) -> Frame:
    rng, staff = chunk.rng, chunk.staff
    deal = intervals["deal"]
    stage = np.minimum(intervals["stage"], _STAGE_RATE.size - 1)
    count = rng.poisson(_STAGE_RATE[stage] * staff.activity[deals.manager[deal]])
    row = np.repeat(np.arange(deal.size), count)
    deal, stage = deal[row], stage[row]
    when = uniform_w(rng, intervals["low"][row], intervals["high"][row])
    return _rows(
        chunk,
        deals.manager[deal],
        when,
        _pick(rng, _STAGE_MIX[stage]),
        SALES,
        links=(deals.client[deal], np.full(deal.size, -1), deal),
        floor=deals.created_w[deal],
    )


def _scheduled_meetings(chunk: Chunk, deals: Deals) -> Frame:
    """Open deals at the end often have the next meeting already booked."""
    rng, cal = chunk.rng, chunk.cal
    deal = np.nonzero((deals.status == OPEN) & (rng.random(deals.lead.size) < 0.35))[0]
    booked = np.maximum(
        cal.end_w - (rng.uniform(0.1, 3.0, deal.size) * WORK_SEC).astype(np.int64),
        deals.last_w[deal],
    )
    rows = _rows(
        chunk,
        deals.manager[deal],
        booked,
        np.full(deal.size, MEETING),
        SALES,
        links=(deals.client[deal], np.full(deal.size, -1), deal),
        floor=booked,
    )
    rows.update(
        status=np.full(deal.size, SCHEDULED),
        occurred_at=np.full(deal.size, -1),
        duration_sec=np.full(deal.size, -1),
        with_decision_maker=rng.random(deal.size) < 0.4,
        updated_at=rows["created_at"],
    )
    return rows


def _care_activities(chunk: Chunk, deals: Deals, surveys: Frame) -> Frame:
    """Greetings and service contacts with customers, and the calls behind surveys."""
    rng, cal = chunk.rng, chunk.cal
    won = np.nonzero(deals.status == WON)[0]
    # Contacts fade as the customer drifts away: exponential in the months since the
    # purchase, cut at the end of the period.
    reach = 1 - np.exp(-(cal.end_w - deals.closed_w[won]) / MONTH_W / LAPSE_MONTHS)
    count = rng.poisson(_CARE_PER_MONTH * LAPSE_MONTHS * reach)
    deal, reach = np.repeat(won, count), np.repeat(reach, count)
    months = -LAPSE_MONTHS * np.log1p(-rng.random(deal.size) * reach)
    when = deals.closed_w[deal] + (months * MONTH_W).astype(np.int64)
    greeting = rng.random(deal.size) < 0.4
    frames = []
    for purpose, chosen in ((GREETING, greeting), (SERVICE, ~greeting)):
        picked = deal[chosen]
        mix = np.tile(_CARE_MIX[purpose], (picked.size, 1))
        link = np.where(purpose == SERVICE, picked, -1)
        frames.append(
            _rows(
                chunk,
                deals.manager[picked],
                when[chosen],
                _pick(rng, mix),
                purpose,
                links=(deals.client[picked], np.full(picked.size, -1), link),
                floor=when[chosen],
            )
        )
    survey_deal = surveys["deal_id"]
    call = _rows(
        chunk,
        deals.manager[survey_deal],
        surveys["_w"],
        np.full(survey_deal.size, CALL),
        SURVEY,
        links=(deals.client[survey_deal], np.full(survey_deal.size, -1), survey_deal),
        floor=surveys["_w"],
    )
    call["status"][:] = COMPLETED
    call["direction"][:] = 0
    call["occurred_at"] = call["updated_at"]
    call["duration_sec"] = np.maximum(call["duration_sec"], 60)
    return concat(*frames, call)


def activities_frame(
    chunk: Chunk,
    leads: Leads,
    lead_client: np.ndarray,
    deals: Deals,
    intervals: Frame,
    *,
    surveys: Frame,
) -> Frame:
    rows = concat(
        _lead_activities(chunk, leads, lead_client),
        _deal_activities(chunk, deals, intervals),
        _scheduled_meetings(chunk, deals),
        _care_activities(chunk, deals, surveys),
    )
    size = rows["type"].size
    rows["activity_id"] = np.arange(size)
    rng = chunk.rng
    # Meetings were booked first and reported done later: the booking arrives as its own version.
    booked = (rows["type"] == MEETING) & (rows["status"] == COMPLETED)
    booked &= (rows["created_at"] < rows["updated_at"]) & (rng.random(size) < 0.3)
    early = take(rows, np.nonzero(booked)[0])
    early.update(
        status=np.full(booked.sum(), SCHEDULED),
        occurred_at=np.full(booked.sum(), -1),
        duration_sec=np.full(booked.sum(), -1),
        with_decision_maker=np.zeros(booked.sum(), bool),
        updated_at=early["created_at"],
    )
    junk = (rows["status"] == CANCELLED) & (rng.random(size) < 0.1)
    return with_versions(chunk, rows, early, junk)
