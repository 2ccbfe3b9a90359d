"""The demo data run: global tables once, then independent chunks of about 40 managers.

Each chunk's company is simulated from a warm-up before the period and then cut to what
an extract of the period holds (see ``extract``).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from orchestration.demo import crm, extract, finance, funnel, plans
from orchestration.demo.activities import activities_frame
from orchestration.demo.config import GeneratorConfig
from orchestration.demo.context import Chunk, load_pipeline
from orchestration.demo.frames import Frame, codes, ids, take
from orchestration.demo.fx import Rates, fx_frame, make_rates
from orchestration.demo.landing_guard import claim
from orchestration.demo.messy import MANIFEST, write_messy
from orchestration.demo.people import make_staff
from orchestration.demo.profiles import (
    COMPANY_FORMS,
    COMPANY_WORDS,
    CURRENCIES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    PRODUCTS,
)
from orchestration.demo.workdays import WorkCalendar
from orchestration.demo.writer import (
    Custom,
    clear_previous,
    render,
    row_order,
    split_month,
    write_file,
    write_monthly,
)
from orchestration.raw import reference
from orchestration.raw.contract import TABLES, table

logger = logging.getLogger(__name__)

_FX_STREAM = 1_000_003  # keeps the rates' random stream apart from every chunk's
# Long enough for the slowest channel (VIP) to fill its pipeline and for customers to
# come back, so the period starts in the company's steady state.
WARMUP_MONTHS = 12


def generate(config: GeneratorConfig) -> dict[str, int]:
    """Writes the files; returns rows written per qualified table name ('crm/deals': n, ...)."""
    cal = WorkCalendar(config.start, config.months, WARMUP_MONTHS)
    chunks = max(1, math.ceil(config.scale))
    claim(config)
    for contract_table in TABLES:
        clear_previous(config.out, contract_table)
    counts = dict.fromkeys((t.qualified for t in TABLES), 0)
    rates = make_rates(np.random.default_rng([config.seed, _FX_STREAM]), cal)
    fx = fx_frame(rates, CURRENCIES.index(config.reporting_currency))
    counts["finance/fx_rates"] = _write(config, cal, "finance/fx_rates", fx)
    products = finance.products_frame()
    data = render(table("finance/products"), products, 0, _product_vocabulary(), {})
    write_file(config.out / "finance" / "products" / "products", data, config.file_format)
    counts["finance/products"] = data.num_rows
    for index in range(chunks):
        frames = build_chunk(config, cal, rates, index, config.scale / chunks)
        part = index if chunks > 1 else None
        for qualified, (frame, vocab, custom) in frames.items():
            counts[qualified] += _write(
                config,
                cal,
                qualified,
                frame,
                chunk=index,
                part=part,
                vocabularies=vocab,
                custom=custom,
            )
        logger.info("chunk %d of %d written", index + 1, chunks)
    stale_manifest = config.out / MANIFEST
    if config.messy:
        write_messy(config)
    elif stale_manifest.exists():
        stale_manifest.unlink()
    return counts


def _write(
    config: GeneratorConfig,
    cal: WorkCalendar,
    qualified: str,
    frame: Frame,
    *,
    chunk: int = 0,
    part: int | None = None,
    vocabularies: Mapping[str, Sequence[str]] | None = None,
    custom: Mapping[str, Custom] | None = None,
) -> int:
    contract_table = table(qualified)
    month = split_month(contract_table, frame, cal.extract_start)
    order = row_order(contract_table, frame, month)
    frame = take(frame, order)
    vocab = {"currency": CURRENCIES, **(vocabularies or {})}
    data = render(contract_table, frame, chunk, vocab, custom or {})
    return write_monthly(
        config.out,
        contract_table,
        data,
        month[order],
        cal.extract_start,
        part=part,
        file_format=config.file_format,
    )


def _product_vocabulary() -> dict[str, Sequence[str]]:
    return {
        "name": [product[0] for product in PRODUCTS],
        "category": [product[1] for product in PRODUCTS],
        "currency": CURRENCIES,
    }


Frames = dict[str, tuple[Frame, Mapping[str, Sequence[str]], Mapping[str, Custom]]]


def _chunk(
    config: GeneratorConfig, cal: WorkCalendar, rates: Rates, index: int, unit: float
) -> Chunk:
    rng = np.random.default_rng([config.seed, index])
    channels = reference.channel_codes(config.seeds_dir)
    reasons = reference.lost_reasons(config.seeds_dir)
    return Chunk(
        rng=rng,
        cal=cal,
        index=index,
        channels=channels,
        pipeline=load_pipeline(config.seeds_dir),
        reason_codes=tuple(reason.code for reason in reasons),
        reason_fault=np.array([reason.is_manager_fault for reason in reasons]),
        staff=make_staff(rng, cal, unit, channels),
        rates=rates,
    )


def build_chunk(
    config: GeneratorConfig, cal: WorkCalendar, rates: Rates, index: int, unit: float
) -> Frames:
    """Every chunk table, cut to the extract, as frames with what their string columns need."""
    chunk = _chunk(config, cal, rates, index, unit)
    staff = chunk.staff
    leads = funnel.make_leads(chunk)
    clients = funnel.make_clients(chunk, leads)
    from_leads = funnel.simulate(
        chunk,
        clients.lead,
        np.arange(clients.lead.size),
        staff.effective(clients.owner, leads.deal_w[clients.lead]),
        leads.channel[clients.lead],
        created_w=leads.deal_w[clients.lead],
    )
    won = from_leads.status == funnel.WON
    repeat = funnel.repeat_deals(
        chunk, (from_leads.client[won], from_leads.manager[won], from_leads.closed_w[won])
    )
    deals = funnel.combine([from_leads, *repeat])
    currency = clients.currency[deals.client]
    amount, lines = finance.price_deals(chunk, deals, currency)
    documents = finance.documents(chunk, deals, amount, currency, lines)
    intervals = crm.stage_intervals(chunk, deals)
    surveys = crm.surveys_frame(chunk, deals)
    lead_client = np.where(leads.deal_w < cal.end_w, np.cumsum(leads.deal_w < cal.end_w) - 1, -1)
    revenue, won_count = _realised(chunk, deals, documents)
    plan_frame = plans.sales_plans(chunk, revenue, won_count, _margin(documents))
    lead_month = np.clip(cal.month_of(leads.created_ts), 0, cal.months - 1)
    lead_counts = np.zeros((cal.months, len(chunk.channels)))
    np.add.at(lead_counts, (lead_month, leads.channel), 1)
    vocab = _vocabularies(chunk)
    people = _people_renderers(chunk)
    frames: Frames = {
        "crm/teams": (crm.teams_frame(chunk), vocab, people),
        "crm/managers": (crm.managers_frame(chunk), vocab, people),
        "crm/clients": (crm.clients_frame(chunk, clients, leads), vocab, _client_renderers(index)),
        "crm/leads": (crm.leads_frame(chunk, leads), vocab, {}),
        "crm/deals": (crm.deals_frame(chunk, deals, amount, currency), vocab, {}),
        "crm/deal_stage_changes": (crm.stage_changes_frame(chunk, deals), vocab, {}),
        "crm/activities": (
            activities_frame(chunk, leads, lead_client, deals, intervals, surveys=surveys),
            vocab,
            {},
        ),
        "crm/proposals": (crm.proposals_frame(chunk, deals, amount, currency), vocab, {}),
        "crm/tasks": (crm.tasks_frame(chunk, deals, intervals, leads), vocab, {}),
        "crm/surveys": (surveys, vocab, {}),
        "finance/sales_plans": (plan_frame, vocab, {}),
        "finance/sales_expenses": (plans.sales_expenses(chunk, revenue, lead_counts), vocab, {}),
    }
    for name, frame in documents.items():
        frames[f"finance/{name}"] = (frame, vocab, {})
    kept = extract.live_records(chunk, leads, lead_client, deals, documents)
    return {
        name: (extract.cut(name, frame, kept), vocab, custom)
        for name, (frame, vocab, custom) in frames.items()
    }


def _vocabularies(chunk: Chunk) -> dict[str, Sequence[str]]:
    stages = chunk.pipeline.codes
    return {
        "channel_code": chunk.channels,
        "stage_code": stages,
        "from_stage": stages,
        "to_stage": stages,
        "lost_reason_code": chunk.reason_codes,
        "source": crm.all_sources(chunk),
        "industry": INDUSTRIES,
    }


def _realised(
    chunk: Chunk, deals: funnel.Deals, documents: dict[str, Frame]
) -> tuple[np.ndarray, np.ndarray]:
    """Revenue in RUB and won deals, both (managers, months, channels)."""
    cal, staff = chunk.cal, chunk.staff
    payments = documents["payments"]
    deal = finance.deal_of_invoice(documents["invoices"])[payments["invoice_id"]]
    manager = staff.effective(deals.manager[deal], deals.last_w[deal])
    rub = payments["amount"] / 100 * chunk.rates.at(payments["currency"], payments["paid_at"])
    revenue = np.zeros((staff.size, cal.months, len(chunk.channels)))
    np.add.at(revenue, (manager, cal.month_of(payments["paid_at"]), deals.channel[deal]), rub)
    won = np.nonzero(deals.status == funnel.WON)[0]
    won_count = np.zeros_like(revenue)
    closed = cal.from_work(deals.closed_w[won])
    owner = staff.effective(deals.manager[won], deals.last_w[won])
    np.add.at(won_count, (owner, cal.month_of(closed), deals.channel[won]), 1)
    return revenue, won_count


def _margin(documents: dict[str, Frame]) -> float:
    lines = documents["invoice_lines"]
    price = lines["unit_price"] * lines["quantity"].astype(np.float64)
    cost = lines["unit_cost"] * lines["quantity"].astype(np.float64)
    return float(1 - cost.sum() / price.sum()) if price.sum() > 0 else 0.4


_TEAM_NAMES = ("North", "South", "East", "West", "Central", "Volga", "Ural", "Siberia")


def _people_renderers(chunk: Chunk) -> dict[str, Custom]:
    staff = chunk.staff
    first = codes(FIRST_NAMES, staff.first_name % len(FIRST_NAMES))
    last = codes(LAST_NAMES, staff.last_name % len(LAST_NAMES))
    number = ids("m", chunk.index, np.arange(staff.size))

    def full_name(manager: np.ndarray) -> pa.Array:
        return pc.binary_join_element_wise(first.take(manager), last.take(manager), " ")

    def email(manager: np.ndarray) -> pa.Array:
        local = pc.binary_join_element_wise(
            first.take(manager), last.take(manager), number.take(manager), "."
        )
        return pc.binary_join_element_wise(pc.utf8_lower(local), "demo-sales.example", "@")

    def team_name(team: np.ndarray) -> pa.Array:
        names = [
            f"{_TEAM_NAMES[t % len(_TEAM_NAMES)]} {chunk.index + 1}-{t // len(_TEAM_NAMES) + 1}"
            for t in range(staff.heads.size)
        ]
        return codes(names, team)

    return {"full_name": full_name, "email": email, "team_name": team_name}


def _client_renderers(chunk: int) -> dict[str, Custom]:
    def name(seed: np.ndarray) -> pa.Array:
        form = codes(COMPANY_FORMS, seed % len(COMPANY_FORMS))
        word = codes(COMPANY_WORDS, (seed // 7) % len(COMPANY_WORDS))
        tail = codes(COMPANY_WORDS, (seed // 211) % len(COMPANY_WORDS))
        return pc.binary_join_element_wise(
            form, pc.binary_join_element_wise(word, pc.utf8_lower(tail), ""), " "
        )

    def email(client: np.ndarray) -> pa.Array:
        local = pc.utf8_lower(ids("client", chunk, client))
        return pc.binary_join_element_wise(local, "mail.example", "@")

    def phone(number: np.ndarray) -> pa.Array:
        text = pc.cast(pa.array(number, mask=number < 0), pa.string())
        return pc.binary_join_element_wise("+7", text, "")

    return {"name": name, "email": email, "phone": phone}
