"""Prices, contracts, invoices with lines, and payments of the deals of one chunk."""

from __future__ import annotations

import numpy as np

from orchestration.demo.context import Chunk
from orchestration.demo.frames import Frame, concat, take
from orchestration.demo.funnel import LOST, WON, Deals, exp_days
from orchestration.demo.profiles import PRODUCTS
from orchestration.demo.workdays import DAY_US, SEC_US, WORK_SEC

KOPECKS = 100
QUANTITY_UNITS = 10_000  # decimal(18,4)
_DISCOUNTS = np.array([0.0, 0.05, 0.1, 0.15, 0.2])
_LIST_PRICE = np.array([product[2] for product in PRODUCTS], dtype=np.float64)
_COST_SHARE = np.array([product[3] for product in PRODUCTS])
_HALF_UNITS = np.array([product[4] for product in PRODUCTS])


def products_frame() -> Frame:
    index = np.arange(len(PRODUCTS))
    return {
        "product_id": index + 1,
        "name": index,
        "category": index,
        "list_price": (_LIST_PRICE * KOPECKS).astype(np.int64),
        "unit_cost": np.rint(_LIST_PRICE * _COST_SHARE).astype(np.int64) * KOPECKS,
        "currency": np.zeros(index.size, np.int64),
    }


def price_deals(chunk: Chunk, deals: Deals, currency: np.ndarray) -> tuple[np.ndarray, Frame]:
    """Deal amounts as the sum of product lines priced from the list, with discounts.

    Prices are whole units of the deal currency, so amounts stay exact in kopecks.
    """
    rng, staff = chunk.rng, chunk.staff
    size = deals.lead.size
    count = 1 + rng.binomial(3, 0.35, size)
    deal = np.repeat(np.arange(size), count)
    product = rng.integers(0, len(PRODUCTS), deal.size)
    target = chunk.channel_array("deal_rub")[deals.channel] * staff.check[deals.manager]
    target = target * np.exp(rng.normal(0.0, 0.55, size))
    weight = rng.random(deal.size) + 0.2
    share = weight / np.bincount(deal, weight)[deal]
    discount = rng.choice(_DISCOUNTS, size, p=(0.35, 0.25, 0.2, 0.12, 0.08))[deal]
    rate = chunk.rates.at(currency[deal], chunk.cal.from_work(deals.created_w[deal]))
    price = np.maximum(np.rint(_LIST_PRICE[product] * (1 - discount) / rate), 1).astype(np.int64)
    cost = np.maximum(np.rint(_LIST_PRICE[product] * _COST_SHARE[product] / rate), 1)
    halves = np.maximum(np.rint(2 * target[deal] * share / (price * rate)), 1).astype(np.int64)
    halves = np.where(_HALF_UNITS[product], halves, np.maximum(halves // 2, 1) * 2)
    line_total = halves * price * (KOPECKS // 2)
    lines = {
        "deal": deal,
        "product_id": product + 1,
        "quantity": halves * (QUANTITY_UNITS // 2),
        "unit_price": price * KOPECKS,
        "unit_cost": cost.astype(np.int64) * KOPECKS,
    }
    return np.bincount(deal, line_total, minlength=size).astype(np.int64), lines


def deal_of_invoice(invoices: Frame) -> np.ndarray:
    """Deal index by invoice id; the frame may hold several versions of an invoice."""
    deal = np.zeros(invoices["invoice_id"].max(initial=-1) + 1, np.int64)
    deal[invoices["invoice_id"]] = invoices["deal_id"]
    return deal


def _round_units(kopecks: np.ndarray) -> np.ndarray:
    return np.rint(kopecks / KOPECKS).astype(np.int64) * KOPECKS


def documents(
    chunk: Chunk, deals: Deals, amount: np.ndarray, currency: np.ndarray, lines: Frame
) -> dict[str, Frame]:
    """Contracts, invoices, invoice lines and payments of the invoiced deals."""
    pipe, cal = chunk.pipeline, chunk.cal
    deal = np.nonzero(deals.entry_w[:, pipe.invoice] >= 0)[0]
    issued_w = deals.entry_w[deal, pipe.invoice]
    contracts = _contracts(chunk, deals, deal, issued_w, money=(amount, currency))
    contract_of = np.full(deals.lead.size, -1, np.int64)
    contract_of[contracts["deal_id"]] = contracts["contract_id"]
    invoice_of = np.full(deals.lead.size, -1, np.int64)
    invoice_of[deal] = np.arange(deal.size)
    payments, status, settled_ts = _payments(chunk, deals, deal, amount, currency)
    issued_ts = cal.from_work(issued_w)
    invoices = {
        "invoice_id": np.arange(deal.size),
        "contract_id": contract_of[deal],
        "deal_id": deal,
        "client_id": deals.client[deal],
        "issued_at": issued_ts,
        "due_on": deals.due_day[deal],
        "amount": amount[deal],
        "currency": currency[deal],
        "status": status,
        "updated_at": np.where(settled_ts > 0, settled_ts, issued_ts),
    }
    # Finance exports every status change: the "issued" state arrives before the payment.
    changed = np.nonzero((status > 0) & (chunk.rng.random(deal.size) < 0.6))[0]
    issued_version = take(invoices, changed)
    issued_version.update(status=np.zeros(changed.size, np.int64), updated_at=issued_ts[changed])
    invoices = concat(issued_version, invoices)
    keep = invoice_of[lines["deal"]] >= 0
    invoice_lines = {
        "line_id": np.arange(keep.sum()),
        "invoice_id": invoice_of[lines["deal"][keep]],
        **{
            name: lines[name][keep]
            for name in ("product_id", "quantity", "unit_price", "unit_cost")
        },
        "issued_at": issued_ts[invoice_of[lines["deal"][keep]]],
    }
    return {
        "contracts": contracts,
        "invoices": invoices,
        "invoice_lines": invoice_lines,
        "payments": payments,
    }


def _contracts(
    chunk: Chunk,
    deals: Deals,
    deal: np.ndarray,
    issued_w: np.ndarray,
    *,
    money: tuple[np.ndarray, np.ndarray],
) -> Frame:
    """Signed when negotiation ends, just before the invoice; skipped stage, no contract."""
    amount, currency = money
    rng, pipe, cal = chunk.rng, chunk.pipeline, chunk.cal
    negotiated = deals.entry_w[deal, pipe.contract] >= 0
    deal, issued_w = deal[negotiated], issued_w[negotiated]
    room = np.minimum(WORK_SEC // 2, issued_w - deals.entry_w[deal, pipe.contract])
    signed = cal.from_work(issued_w - (rng.random(deal.size) * room).astype(np.int64))
    signed_on = signed // DAY_US
    open_ended = rng.random(deal.size) < 0.25
    return {
        "contract_id": deal,
        "deal_id": deal,
        "client_id": deals.client[deal],
        "signed_on": signed_on,
        "amount": amount[deal],
        "currency": currency[deal],
        "valid_from": signed_on,
        "valid_to": np.where(open_ended, -1, signed_on + 365),
        "updated_at": signed,
    }


def _payments(
    chunk: Chunk, deals: Deals, deal: np.ndarray, amount: np.ndarray, currency: np.ndarray
) -> tuple[Frame, np.ndarray, np.ndarray]:
    """Full, partial and refunded payments; returns payments, invoice status, settled time."""
    rng, cal = chunk.rng, chunk.cal
    end = cal.end_w
    size = deal.size
    invoice = np.arange(size)
    won = deals.status[deal] == WON
    first_w = deals.closed_w[deal]
    total = amount[deal]
    partial = won & (rng.random(size) < 0.15)
    first_amount = np.where(partial, _round_units(total * rng.uniform(0.3, 0.7, size)), total)
    second_w = first_w + exp_days(rng, 10.0, size) + 3600
    second = partial & (second_w < end)
    refund_w = np.where(second, second_w, first_w) + exp_days(rng, 15.0, size) + 3600
    refund = won & (~partial | second) & (rng.random(size) < 0.03) & (refund_w < end)
    refund_share = rng.choice(np.array([0.1, 0.5, 1.0]), size)
    payments = {
        "invoice_id": np.concatenate([invoice[won], invoice[second], invoice[refund]]),
        "w": np.concatenate([first_w[won], second_w[second], refund_w[refund]]),
        "amount": np.concatenate(
            [
                first_amount[won],
                total[second] - first_amount[second],
                -_round_units(total[refund] * refund_share[refund]),
            ]
        ),
    }
    order = np.lexsort((payments["w"], payments["invoice_id"]))
    payments = take(payments, order)
    paid_ts = cal.from_work(payments.pop("w")) + rng.integers(0, 60, order.size) * SEC_US
    payments = {
        "payment_id": np.arange(order.size),
        **payments,
        "paid_at": paid_ts,
        "currency": currency[deal][payments["invoice_id"]],
    }
    cancelled = deals.status[deal] == LOST
    fully_paid = won & (~partial | second)
    status = np.select([cancelled, fully_paid, won], [3, 1, 2], default=0)
    settled_w = np.select(
        [cancelled, fully_paid & partial, won],
        [deals.closed_w[deal], second_w, first_w],
        default=-1,
    )
    settled_ts = np.where(settled_w >= 0, cal.from_work(np.maximum(settled_w, 0)), -1)
    # The paying payment has seconds added; the invoice update must not precede it.
    settled_ts = np.where(settled_ts >= 0, settled_ts + 60 * SEC_US, -1)
    return payments, status, settled_ts
