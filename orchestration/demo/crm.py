"""CRM tables of one chunk as NumPy frames, including re-sent and deleted versions."""

from __future__ import annotations

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.frames import NEVER, Frame, concat, take
from orchestration.demo.funnel import LOST, OPEN, WON, Clients, Deals, Leads, exp_days
from orchestration.demo.profiles import (
    ACQUISITION,
    INDUSTRIES,
    TARGET_INDUSTRIES,
    VIP_CHANNEL,
)
from orchestration.demo.workdays import DAY_US, OPEN_SEC, SEC_US, WORK_SEC

LEAD_NEW, LEAD_WORKING, LEAD_QUALIFIED, LEAD_CONVERTED, LEAD_DISQUALIFIED = range(5)


def _deleted_copies(chunk: Chunk, frame: Frame, chosen: np.ndarray) -> Frame:
    """Later versions marking rows deleted, when the deletion still falls in the period.

    Someone deletes a record within a few working days, so the deletion is in working hours.
    """
    cal = chunk.cal
    copies = take(frame, np.nonzero(chosen)[0])
    delay = chunk.rng.integers(600, 5 * WORK_SEC, copies["updated_at"].size)
    deleted_w = cal.to_work(copies["updated_at"]) + delay
    copies = take(copies, np.nonzero(deleted_w < cal.end_w)[0])
    copies["updated_at"] = cal.from_work(deleted_w[deleted_w < cal.end_w])
    copies["is_deleted"] = np.ones(copies["updated_at"].size, bool)
    return copies


def with_versions(chunk: Chunk, final: Frame, early: Frame, deletable: np.ndarray) -> Frame:
    """Earlier versions, the final ones and deletions of some final rows, as one frame."""
    final["is_deleted"] = np.zeros(final["updated_at"].size, bool)
    early["is_deleted"] = np.zeros(early["updated_at"].size, bool)
    return concat(early, final, _deleted_copies(chunk, final, deletable))


def _ts(chunk: Chunk, work: np.ndarray) -> np.ndarray:
    """Timestamps of events inside the period; -1 (null) for later or missing ones."""
    inside = (work >= 0) & (work < chunk.cal.end_w)
    return np.where(inside, chunk.cal.from_work(np.where(inside, work, 0)), -1)


def _lead_state(chunk: Chunk, leads: Leads, until: np.ndarray | int) -> Frame:
    """What a lead record says after the events before working time ``until``."""
    converted = leads.deal_w < until
    client = np.cumsum(leads.deal_w < chunk.cal.end_w) - 1
    status = np.select(
        [converted, leads.disqualified_w < until, leads.qualified_w < until, leads.touch_w < until],
        [LEAD_CONVERTED, LEAD_DISQUALIFIED, LEAD_QUALIFIED, LEAD_WORKING],
        default=LEAD_NEW,
    )
    events = np.stack([leads.touch_w, leads.qualified_w, leads.deal_w, leads.disqualified_w])
    latest = np.where(events < until, events, -1).max(axis=0)
    return {
        "client_id": np.where(converted, client, -1),
        "status": status,
        "qualified_at": _ts(chunk, np.where(leads.qualified_w < until, leads.qualified_w, -1)),
        "converted_at": _ts(chunk, np.where(converted, leads.deal_w, -1)),
        "deal_id": np.where(converted, client, -1),
        "updated_at": np.maximum(leads.created_ts, _ts(chunk, latest)),
    }


def _handed_over(chunk: Chunk, leads: Leads, final: Frame) -> Frame:
    """Leads still open when their manager leaves pass to the team head, as deals do.

    The hand-over is a version at the departure with the lead's state then; changes
    after the departure name the head too.
    """
    staff, cal = chunk.staff, chunk.cal
    manager = np.maximum(leads.manager, 0)
    fire_w = np.where(leads.manager >= 0, staff.fire_w[manager], NEVER)
    fire_ts = cal.from_work(np.minimum(fire_w, cal.end_w - 1))
    decided = np.minimum(leads.deal_w, leads.disqualified_w)
    handed = (fire_w < cal.end_w) & (decided >= fire_w) & (leads.created_ts < fire_ts)
    head = staff.heads[staff.final_team[manager]]
    final["manager_id"] = np.where(handed & (final["updated_at"] >= fire_ts), head, leads.manager)
    # A change exactly at the departure already names the head: no second version then.
    chosen = np.nonzero(handed & (final["updated_at"] != fire_ts))[0]
    later = take({**final, **_lead_state(chunk, leads, fire_w)}, chosen)
    later.update(
        manager_id=head[chosen],
        updated_at=fire_ts[chosen],
        is_deleted=np.zeros(chosen.size, bool),
    )
    return later


def leads_frame(chunk: Chunk, leads: Leads) -> Frame:
    size = leads.channel.size
    offsets = np.cumsum([0] + [len(p.sources) for p in chunk.profiles])
    final = {
        "lead_id": np.arange(size),
        "created_at": leads.created_ts,
        "channel_code": leads.channel,
        "source": offsets[leads.channel] + leads.source,
        "manager_id": leads.manager,
        **_lead_state(chunk, leads, chunk.cal.end_w),
    }
    early = take(
        final, np.nonzero(leads.early_version & (final["updated_at"] > leads.created_ts))[0]
    )
    touched_at_once = chunk.cal.to_work(early["created_at"]) >= leads.touch_w[early["lead_id"]]
    early.update(
        status=np.where(touched_at_once, LEAD_WORKING, LEAD_NEW),
        client_id=np.full(early["lead_id"].size, -1),
        qualified_at=np.full(early["lead_id"].size, -1),
        converted_at=np.full(early["lead_id"].size, -1),
        deal_id=np.full(early["lead_id"].size, -1),
        updated_at=early["created_at"],
    )
    later = _handed_over(chunk, leads, final)
    junk = (final["status"] == LEAD_DISQUALIFIED) & (chunk.rng.random(size) < 0.03)
    return concat(with_versions(chunk, final, early, junk), later)


def all_sources(chunk: Chunk) -> tuple[str, ...]:
    return tuple(source for profile in chunk.profiles for source in profile.sources)


def clients_frame(chunk: Chunk, clients: Clients, leads: Leads) -> Frame:
    rng, staff = chunk.rng, chunk.staff
    size = clients.lead.size
    sources = all_sources(chunk)
    acquisition = sorted(set(ACQUISITION.values()))
    offsets = np.cumsum([0] + [len(p.sources) for p in chunk.profiles])
    source = offsets[leads.channel[clients.lead]] + leads.source[clients.lead]
    source_to_acq = np.array([acquisition.index(ACQUISITION.get(s, "cold")) for s in sources])
    industry = rng.integers(0, len(INDUSTRIES), size)
    vip = leads.channel[clients.lead] == chunk.channel(VIP_CHANNEL)
    target = np.isin(industry, [INDUSTRIES.index(code) for code in TARGET_INDUSTRIES])
    final = {
        "client_id": np.arange(size),
        "name": rng.integers(0, 1 << 30, size),
        "industry": industry,
        "segment": (rng.random(size) < 0.15).astype(np.int64),
        "is_key_account": vip | (rng.random(size) < 0.05),
        "is_vip": vip,
        "is_target_segment": target,
        "acquisition_source": source_to_acq[source],
        "owner_manager_id": clients.owner,
        "email": np.where(rng.random(size) < 0.9, np.arange(size), -1),
        "phone": np.where(rng.random(size) < 0.8, rng.integers(10**9, 10**10, size), -1),
        "created_at": clients.created_ts,
        "updated_at": clients.created_ts,
    }
    fire_ts = chunk.cal.from_work(np.minimum(staff.fire_w, chunk.cal.end_w - 1))[clients.owner]
    handed = (staff.fire_w[clients.owner] < chunk.cal.end_w) & (fire_ts > clients.created_ts)
    later = take(final, np.nonzero(handed)[0])
    later["owner_manager_id"] = staff.heads[staff.final_team[later["owner_manager_id"]]]
    later["updated_at"] = fire_ts[handed]
    final["is_deleted"] = np.zeros(size, bool)
    later["is_deleted"] = np.zeros(later["client_id"].size, bool)
    return concat(final, later)


def deals_frame(chunk: Chunk, deals: Deals, amount: np.ndarray, currency: np.ndarray) -> Frame:
    rng, staff = chunk.rng, chunk.staff
    size = deals.lead.size
    final = {
        "deal_id": np.arange(size),
        "lead_id": deals.lead,
        "client_id": deals.client,
        "manager_id": staff.effective(deals.manager, deals.last_w),
        "channel_code": deals.channel,
        "created_at": _ts(chunk, deals.created_w),
        "stage_code": deals.stage,
        "status": deals.status,
        "amount": amount,
        "currency": currency,
        "closed_at": _ts(chunk, deals.closed_w),
        "lost_reason_code": deals.reason,
        "is_competitive": deals.is_competitive,
        "updated_at": _ts(chunk, deals.last_w),
    }
    changed = (deals.last_w > deals.created_w) & (rng.random(size) < 0.3)
    early = take(final, np.nonzero(changed)[0])
    estimate = early["amount"] * rng.uniform(0.7, 1.3, early["amount"].size)
    early.update(
        manager_id=deals.manager[changed],
        stage_code=np.zeros(early["deal_id"].size, np.int64),
        status=np.full(early["deal_id"].size, OPEN),
        amount=np.maximum(np.rint(estimate / 100), 1).astype(np.int64) * 100,
        closed_at=np.full(early["deal_id"].size, -1),
        lost_reason_code=np.full(early["deal_id"].size, -1),
        updated_at=early["created_at"],
    )
    early_lost = (deals.status == LOST) & (deals.entry_w[:, 1:].max(axis=1) < 0)
    junk = early_lost & (rng.random(size) < 0.1)
    return with_versions(chunk, final, early, junk)


def stage_changes_frame(chunk: Chunk, deals: Deals) -> Frame:
    moves = deals.moves
    order = np.lexsort((moves["to_stage"], moves["w"], moves["deal"]))
    deal, when = moves["deal"][order], moves["w"][order]
    return {
        "change_id": np.arange(order.size),
        "deal_id": deal,
        "from_stage": moves["from_stage"][order],
        "to_stage": moves["to_stage"][order],
        "changed_at": chunk.cal.from_work(when),
        "manager_id": chunk.staff.effective(deals.manager[deal], when),
    }


def stage_intervals(chunk: Chunk, deals: Deals) -> Frame:
    """Time a deal spent in each open stage: from entering it to its next move."""
    moves = deals.moves
    order = np.lexsort((moves["w"], moves["deal"]))
    deal, stage, when = moves["deal"][order], moves["to_stage"][order], moves["w"][order]
    same = np.append(deal[1:] == deal[:-1], False)
    leave = np.where(same, np.append(when[1:], 0), chunk.cal.end_w)
    is_open = stage <= chunk.pipeline.invoice
    return {
        "deal": deal[is_open],
        "stage": stage[is_open],
        "low": when[is_open],
        "high": leave[is_open],
    }


def proposals_frame(chunk: Chunk, deals: Deals, amount: np.ndarray, currency: np.ndarray) -> Frame:
    rng, pipe, end = chunk.rng, chunk.pipeline, chunk.cal.end_w
    deal = np.nonzero(deals.entry_w[:, pipe.proposal] >= 0)[0]
    size = deal.size
    sent = deals.entry_w[deal, pipe.proposal]
    later = deals.entry_w[deal, pipe.proposal + 1 : pipe.invoice + 1]
    accepted = (later >= 0).any(axis=1)
    rejected = ~accepted & (deals.status[deal] == LOST)
    decided_w = np.where(
        accepted, np.where(later >= 0, later, NEVER).min(axis=1), deals.closed_w[deal]
    )
    decided = accepted | rejected
    reviewed = np.where(
        decided,
        sent + (rng.uniform(0.2, 0.9, size) * (decided_w - sent)).astype(np.int64),
        sent + exp_days(rng, 2.0, size) + 600,
    )
    was_reviewed = reviewed < end
    status = np.select([accepted, rejected, was_reviewed], [2, 3, 1], default=0)
    updated = np.select([decided, was_reviewed], [decided_w, reviewed], default=sent)
    quoted = amount[deal] * rng.uniform(1.0, 1.12, size)
    final = {
        "proposal_id": np.arange(size),
        "deal_id": deal,
        "manager_id": chunk.staff.effective(deals.manager[deal], sent),
        "sent_at": _ts(chunk, sent),
        "reviewed_at": _ts(chunk, np.where(was_reviewed, reviewed, -1)),
        "amount": np.rint(quoted / 100).astype(np.int64) * 100,
        "currency": currency[deal],
        "status": status,
        "updated_at": _ts(chunk, updated),
    }
    early = take(final, np.nonzero((status > 0) & (rng.random(size) < 0.5))[0])
    early.update(
        status=np.zeros(early["deal_id"].size, np.int64),
        reviewed_at=np.full(early["deal_id"].size, -1),
        updated_at=early["sent_at"],
    )
    return with_versions(chunk, final, early, np.zeros(size, bool))


def tasks_frame(chunk: Chunk, deals: Deals, intervals: Frame, leads: Leads) -> Frame:
    """Follow-ups at each stage and on some leads; weak managers finish them late."""
    rng, staff, cal = chunk.rng, chunk.staff, chunk.cal
    on_stage = rng.random(intervals["deal"].size) < 0.65
    deal = intervals["deal"][on_stage]
    low, high = intervals["low"][on_stage], intervals["high"][on_stage]
    lead = np.nonzero((leads.touch_w < cal.end_w) & (rng.random(leads.owner.size) < 0.15))[0]
    owner = np.concatenate([deals.manager[deal], leads.owner[lead]])
    start = np.concatenate([low, leads.touch_w[lead]])
    room = np.concatenate([high - low, np.full(lead.size, WORK_SEC // 3)])
    size = owner.size
    created = start + (rng.random(size) * np.minimum(room, WORK_SEC // 3)).astype(np.int64)
    due = created + (rng.uniform(0.5, 5.0, size) * WORK_SEC).astype(np.int64)
    manager = staff.effective(owner, created)
    late = staff.lateness[manager]
    done = created + exp_days(rng, (due - created) / WORK_SEC * (0.5 + 2.0 * late), size) + 600
    forgotten = rng.random(size) < 0.25 * late
    done = np.where(forgotten, NEVER, done)
    final = {
        "task_id": np.arange(size),
        "deal_id": np.concatenate([deal, np.full(lead.size, -1)]),
        "manager_id": manager,
        "created_at": _ts(chunk, created),
        "due_at": cal.from_work(due),
        "completed_at": _ts(chunk, done),
        "updated_at": _ts(chunk, np.where(done < cal.end_w, done, created)),
    }
    keep = np.nonzero(created < cal.end_w)[0]
    final = take(final, keep)
    completed = final["completed_at"] >= 0
    early = take(final, np.nonzero(completed & (rng.random(keep.size) < 0.25))[0])
    early.update(completed_at=np.full(early["task_id"].size, -1), updated_at=early["created_at"])
    return with_versions(chunk, final, early, rng.random(keep.size) < 0.01)


def surveys_frame(chunk: Chunk, deals: Deals) -> Frame:
    """Satisfaction after a share of won deals, better for stronger managers."""
    rng, staff = chunk.rng, chunk.staff
    deal = np.nonzero((deals.status == WON) & (rng.random(deals.lead.size) < 0.35))[0]
    responded = deals.closed_w[deal] + (rng.uniform(1, 12, deal.size) * WORK_SEC).astype(np.int64)
    inside = responded < chunk.cal.end_w
    deal, responded = deal[inside], responded[inside]
    manager = staff.effective(deals.manager[deal], responded)
    skill = staff.skill[manager]
    nps = np.clip(np.rint(rng.normal(7.6 + 1.0 * skill, 1.8)), 0, 10).astype(np.int64)
    csat = np.clip(np.rint(rng.normal(4.0 + 0.4 * skill, 0.7)), 1, 5).astype(np.int64)
    blank = rng.random(deal.size)
    return {
        "survey_id": np.arange(deal.size),
        "client_id": deals.client[deal],
        "deal_id": deal,
        "manager_id": manager,
        "responded_at": chunk.cal.from_work(responded),
        "nps_score": np.where(blank < 0.1, -1, nps),
        "csat_score": np.where(blank > 0.9, -1, csat),
        "_w": responded,
    }


def teams_frame(chunk: Chunk) -> Frame:
    teams = chunk.staff.heads.size
    return {
        "team_id": np.arange(teams),
        "team_name": np.arange(teams),
        "head_manager_id": chunk.staff.heads,
        "updated_at": np.full(teams, chunk.cal.extract_us),
        "is_deleted": np.zeros(teams, bool),
    }


def managers_frame(chunk: Chunk) -> Frame:
    """First version at hire (or the first extract), then team moves and departures."""
    staff, cal = chunk.staff, chunk.cal
    size = staff.size

    def at_day(days: np.ndarray) -> np.ndarray:
        return days * DAY_US + OPEN_SEC * SEC_US

    first = {
        "manager_id": np.arange(size),
        "full_name": np.arange(size),
        "email": np.arange(size),
        "team_id": staff.team,
        "role": staff.is_head.astype(np.int64),
        "hired_on": staff.hired_on,
        "fired_on": np.full(size, -1),
        "updated_at": np.maximum(at_day(staff.hired_on), cal.extract_us),
        "is_deleted": np.zeros(size, bool),
    }
    moved = take(first, np.nonzero(staff.moved_on >= 0)[0])
    moved.update(
        team_id=staff.final_team[moved["manager_id"]],
        updated_at=at_day(staff.moved_on[moved["manager_id"]]),
    )
    fired = take(first, np.nonzero(staff.fired_on >= 0)[0])
    fired.update(
        team_id=staff.final_team[fired["manager_id"]],
        fired_on=staff.fired_on[fired["manager_id"]],
        updated_at=at_day(staff.fired_on[fired["manager_id"]]),
    )
    return concat(first, moved, fired)
