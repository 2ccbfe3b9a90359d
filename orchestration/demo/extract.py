"""What the extract of the period holds of a company simulated from months before it.

The company is simulated from a warm-up before the period, so that on its first day
there are open deals in every stage, customers who bought before and revenue at its
usual level. The extract then holds:

- events dated in the period: stage changes, payments, activities, surveys;
- records alive at its start: leads not yet converted or disqualified, deals open at
  the start or closed later, tasks not completed before it;
- what those records and events refer to: a deal's lead and client, its proposal,
  contract and invoice with lines, and the deal of every payment in the period (a
  second instalment or a refund of a deal closed before the start);
- every client who bought before the start, so repeat business has its customers.

Deals finished before the start leave with their leads, events and documents. Customer
care in the period keeps its client but loses the link to such a deal. Kept records
keep their own dates, so a record may have been created before the period; plans and
expenses cover the period's months only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from orchestration.demo.activities import SALES
from orchestration.demo.context import Chunk
from orchestration.demo.finance import deal_of_invoice
from orchestration.demo.frames import Frame, take
from orchestration.demo.funnel import OPEN, WON, Deals, Leads
from orchestration.demo.workdays import DAY_US


@dataclass(frozen=True)
class Extract:
    since_us: int  # the period's first moment
    deal: np.ndarray  # per simulated deal, lead and client: whether the extract holds it
    lead: np.ndarray
    client: np.ndarray
    invoice_deal: np.ndarray  # deal of each invoice id


def live_records(
    chunk: Chunk, leads: Leads, lead_client: np.ndarray, deals: Deals, documents: dict[str, Frame]
) -> Extract:
    """lead_client: the client (and deal) a lead turned into, -1 if none."""
    cal = chunk.cal
    invoice_deal = deal_of_invoice(documents["invoices"])
    payments = documents["payments"]
    deal = (deals.status == OPEN) | (deals.closed_w >= cal.extract_w)
    deal[invoice_deal[payments["invoice_id"][payments["paid_at"] >= cal.extract_us]]] = True
    client = np.zeros(lead_client.max(initial=-1) + 1, bool)
    client[deals.client[deal | (deals.status == WON)]] = True
    decided = np.minimum(leads.deal_w, leads.disqualified_w)
    converted = lead_client >= 0
    lead = (decided >= cal.extract_w) | (converted & deal[np.maximum(lead_client, 0)])
    return Extract(cal.extract_us, deal, lead, client, invoice_deal)


def _latest(key: np.ndarray, values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per row, the largest value its record has among the chosen rows (-1 if none)."""
    latest = np.full(key.max(initial=-1) + 1, -1, np.int64)
    np.maximum.at(latest, key[rows], values[rows])
    return latest[key]


def _unlinked(frame: Frame, kept: Extract, about_deal: np.ndarray) -> Frame:
    """A contact after the start may concern a deal that ended before it: drop the link."""
    deal = frame["deal_id"]
    gone = ~about_deal & (deal >= 0) & ~kept.deal[np.maximum(deal, 0)]
    return {**frame, "deal_id": np.where(gone, -1, deal)}


def _activities(frame: Frame, kept: Extract) -> Frame:
    # The final version carries when the activity happened; earlier ones its booking.
    happened = _latest(frame["activity_id"], frame["updated_at"], ~frame["is_deleted"])
    frame = _unlinked(frame, kept, frame["purpose"] == SALES)
    return take(frame, np.nonzero(happened >= kept.since_us)[0])


def _surveys(frame: Frame, kept: Extract) -> Frame:
    frame = _unlinked(frame, kept, np.zeros(frame["deal_id"].size, bool))
    return take(frame, np.nonzero(frame["responded_at"] >= kept.since_us)[0])


def _tasks(frame: Frame, kept: Extract) -> Frame:
    every = np.ones(frame["task_id"].size, bool)
    completed = _latest(frame["task_id"], frame["completed_at"], every)
    deal = frame["deal_id"]
    open_at_start = (completed < 0) | (completed >= kept.since_us)
    return take(frame, np.nonzero(open_at_start & ((deal < 0) | kept.deal[deal]))[0])


def _where(rows: Callable[[Frame, Extract], np.ndarray]) -> Callable[[Frame, Extract], Frame]:
    return lambda frame, kept: take(frame, np.nonzero(rows(frame, kept))[0])


def _in_period(column: str, *, days: bool = False) -> Callable[[Frame, Extract], Frame]:
    unit = DAY_US if days else 1
    return _where(lambda frame, kept: frame[column] * unit >= kept.since_us)


_RULES: dict[str, Callable[[Frame, Extract], Frame]] = {
    "crm/clients": _where(lambda frame, kept: kept.client[frame["client_id"]]),
    "crm/leads": _where(lambda frame, kept: kept.lead[frame["lead_id"]]),
    "crm/deals": _where(lambda frame, kept: kept.deal[frame["deal_id"]]),
    "crm/deal_stage_changes": _where(
        lambda frame, kept: kept.deal[frame["deal_id"]] & (frame["changed_at"] >= kept.since_us)
    ),
    "crm/activities": _activities,
    "crm/proposals": _where(lambda frame, kept: kept.deal[frame["deal_id"]]),
    "crm/tasks": _tasks,
    "crm/surveys": _surveys,
    "finance/contracts": _where(lambda frame, kept: kept.deal[frame["deal_id"]]),
    "finance/invoices": _where(lambda frame, kept: kept.deal[frame["deal_id"]]),
    "finance/invoice_lines": _where(
        lambda frame, kept: kept.deal[kept.invoice_deal[frame["invoice_id"]]]
    ),
    "finance/payments": _in_period("paid_at"),
    "finance/sales_plans": _in_period("plan_month", days=True),
    "finance/sales_expenses": _in_period("expense_month", days=True),
}


def cut(qualified: str, frame: Frame, kept: Extract) -> Frame:
    """The rows of a table that the extract holds; teams and managers are kept whole."""
    rule = _RULES.get(qualified)
    return frame if rule is None else rule(frame, kept)
