"""The raw data contract (``shared/spec/raw_contract.md``) as data.

The generator writes files in this shape and the ingestion checks files against it,
so both read the same definition instead of keeping their own copies.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """Logical column types of the contract, each with one warehouse type."""

    STR = "VARCHAR"
    TS = "TIMESTAMP"
    DATE = "DATE"
    BOOL = "BOOLEAN"
    INT = "BIGINT"
    MONEY = "DECIMAL(18,2)"
    QUANTITY = "DECIMAL(18,4)"
    RATE = "DECIMAL(18,8)"


class Ref(StrEnum):
    """What a column's value must resolve to."""

    MANAGER = "manager"
    CHANNEL = "channel"
    STAGE = "stage"
    LOST_REASON = "lost_reason"
    CURRENCY = "currency"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.STR
    nullable: bool = False
    accepted: tuple[str, ...] = ()
    ref: Ref | None = None
    non_negative: bool = False
    value_range: tuple[int, int] | None = None


@dataclass(frozen=True)
class Table:
    source: str
    name: str
    key: tuple[str, ...]
    columns: tuple[Column, ...]
    rated_on: str | None = None
    """The date its amounts convert at: a rate must exist on or before it."""

    @property
    def qualified(self) -> str:
        """``crm/deals``: the landing sub-folder of the table."""
        return f"{self.source}/{self.name}"

    @property
    def raw_relation(self) -> str:
        """``crm__deals``: the table's name in the warehouse's ``raw`` schema."""
        return f"{self.source}__{self.name}"

    @property
    def versioned(self) -> bool:
        """Rows carry ``updated_at``, so two versions of a key can share a file."""
        return "updated_at" in self.column_names

    @property
    def deletable(self) -> bool:
        """CRM tables may mark deletions with the optional ``is_deleted`` column."""
        return self.source == "crm"

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(column.name for column in self.columns)

    def column(self, name: str) -> Column:
        return next(column for column in self.columns if column.name == name)


_UPDATED = Column("updated_at", Kind.TS)
_MANAGER = Column("manager_id", ref=Ref.MANAGER)
_CURRENCY = Column("currency", ref=Ref.CURRENCY)
_AMOUNT = Column("amount", Kind.MONEY, non_negative=True)

ACTIVITY_TYPES = ("call", "email", "meeting", "presentation", "message")
ACQUISITION_SOURCES = ("ads", "cold", "event", "networking", "partner", "referral", "website")
EXPENSE_CATEGORIES = ("salary", "commission", "advertising", "events", "tools", "other")

TABLES: tuple[Table, ...] = (
    Table(
        "finance",
        "fx_rates",
        ("rate_date", "currency"),
        (
            Column("rate_date", Kind.DATE),
            Column("currency"),
            Column("rate_to_base", Kind.RATE, non_negative=True),
        ),
    ),
    Table(
        "finance",
        "products",
        ("product_id",),
        (
            Column("product_id"),
            Column("name"),
            Column("category"),
            Column("list_price", Kind.MONEY, non_negative=True),
            Column("unit_cost", Kind.MONEY, non_negative=True),
            _CURRENCY,
        ),
    ),
    Table(
        "crm",
        "teams",
        ("team_id",),
        (
            Column("team_id"),
            Column("team_name"),
            Column("head_manager_id", nullable=True),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "managers",
        ("manager_id",),
        (
            Column("manager_id"),
            Column("full_name"),
            Column("email"),
            Column("team_id"),
            Column("role", accepted=("manager", "head")),
            Column("hired_on", Kind.DATE),
            Column("fired_on", Kind.DATE, nullable=True),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "clients",
        ("client_id",),
        (
            Column("client_id"),
            Column("name"),
            Column("industry"),
            Column("segment", accepted=("b2b", "b2c")),
            Column("is_key_account", Kind.BOOL),
            Column("is_vip", Kind.BOOL),
            Column("is_target_segment", Kind.BOOL),
            Column("acquisition_source", accepted=ACQUISITION_SOURCES),
            Column("owner_manager_id", ref=Ref.MANAGER),
            Column("email", nullable=True),
            Column("phone", nullable=True),
            Column("created_at", Kind.TS),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "leads",
        ("lead_id",),
        (
            Column("lead_id"),
            Column("created_at", Kind.TS),
            Column("channel_code", ref=Ref.CHANNEL),
            Column("source"),
            Column("manager_id", nullable=True, ref=Ref.MANAGER),
            Column("client_id", nullable=True),
            Column(
                "status", accepted=("new", "in_progress", "qualified", "converted", "disqualified")
            ),
            Column("qualified_at", Kind.TS, nullable=True),
            Column("converted_at", Kind.TS, nullable=True),
            Column("deal_id", nullable=True),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "deals",
        ("deal_id",),
        (
            Column("deal_id"),
            Column("lead_id", nullable=True),
            Column("client_id"),
            _MANAGER,
            Column("channel_code", ref=Ref.CHANNEL),
            Column("created_at", Kind.TS),
            Column("stage_code", ref=Ref.STAGE),
            Column("status", accepted=("open", "won", "lost")),
            _AMOUNT,
            _CURRENCY,
            Column("closed_at", Kind.TS, nullable=True),
            Column("lost_reason_code", nullable=True, ref=Ref.LOST_REASON),
            Column("is_competitive", Kind.BOOL),
            _UPDATED,
        ),
        rated_on="created_at",
    ),
    Table(
        "crm",
        "deal_stage_changes",
        ("change_id",),
        (
            Column("change_id"),
            Column("deal_id"),
            Column("from_stage", nullable=True, ref=Ref.STAGE),
            Column("to_stage", ref=Ref.STAGE),
            Column("changed_at", Kind.TS),
            _MANAGER,
        ),
    ),
    Table(
        "crm",
        "activities",
        ("activity_id",),
        (
            Column("activity_id"),
            Column("type", accepted=ACTIVITY_TYPES),
            Column("direction", accepted=("outbound", "inbound")),
            Column("status", accepted=("completed", "no_answer", "scheduled", "cancelled")),
            Column("purpose", accepted=("sales", "greeting", "survey", "service")),
            _MANAGER,
            Column("client_id", nullable=True),
            Column("lead_id", nullable=True),
            Column("deal_id", nullable=True),
            Column("with_decision_maker", Kind.BOOL),
            Column("created_at", Kind.TS),
            Column("occurred_at", Kind.TS, nullable=True),
            Column("duration_sec", Kind.INT, nullable=True, non_negative=True),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "proposals",
        ("proposal_id",),
        (
            Column("proposal_id"),
            Column("deal_id"),
            _MANAGER,
            Column("sent_at", Kind.TS),
            Column("reviewed_at", Kind.TS, nullable=True),
            _AMOUNT,
            _CURRENCY,
            Column("status", accepted=("sent", "reviewed", "accepted", "rejected")),
            _UPDATED,
        ),
        rated_on="sent_at",
    ),
    Table(
        "crm",
        "tasks",
        ("task_id",),
        (
            Column("task_id"),
            Column("deal_id", nullable=True),
            _MANAGER,
            Column("created_at", Kind.TS),
            Column("due_at", Kind.TS),
            Column("completed_at", Kind.TS, nullable=True),
            _UPDATED,
        ),
    ),
    Table(
        "crm",
        "surveys",
        ("survey_id",),
        (
            Column("survey_id"),
            Column("client_id"),
            Column("deal_id", nullable=True),
            _MANAGER,
            Column("responded_at", Kind.TS),
            Column("nps_score", Kind.INT, nullable=True, value_range=(0, 10)),
            Column("csat_score", Kind.INT, nullable=True, value_range=(1, 5)),
        ),
    ),
    Table(
        "finance",
        "contracts",
        ("contract_id",),
        (
            Column("contract_id"),
            Column("deal_id"),
            Column("client_id"),
            Column("signed_on", Kind.DATE),
            _AMOUNT,
            _CURRENCY,
            Column("valid_from", Kind.DATE),
            Column("valid_to", Kind.DATE, nullable=True),
            _UPDATED,
        ),
        rated_on="signed_on",
    ),
    Table(
        "finance",
        "invoices",
        ("invoice_id",),
        (
            Column("invoice_id"),
            Column("contract_id", nullable=True),
            Column("deal_id"),
            Column("client_id"),
            Column("issued_at", Kind.TS),
            Column("due_on", Kind.DATE),
            _AMOUNT,
            _CURRENCY,
            Column("status", accepted=("issued", "paid", "partially_paid", "cancelled")),
            _UPDATED,
        ),
        rated_on="issued_at",
    ),
    Table(
        "finance",
        "invoice_lines",
        ("line_id",),
        (
            Column("line_id"),
            Column("invoice_id"),
            Column("product_id"),
            Column("quantity", Kind.QUANTITY, non_negative=True),
            Column("unit_price", Kind.MONEY, non_negative=True),
            Column("unit_cost", Kind.MONEY, non_negative=True),
        ),
    ),
    Table(
        "finance",
        "payments",
        ("payment_id",),
        (
            Column("payment_id"),
            Column("invoice_id"),
            Column("paid_at", Kind.TS),
            Column("amount", Kind.MONEY),
            _CURRENCY,
        ),
        rated_on="paid_at",
    ),
    Table(
        "finance",
        "sales_plans",
        ("plan_month", "manager_id", "channel_code"),
        (
            Column("plan_month", Kind.DATE),
            _MANAGER,
            Column("channel_code", nullable=True, ref=Ref.CHANNEL),
            Column("revenue_plan", Kind.MONEY, non_negative=True),
            Column("deals_plan", Kind.INT, non_negative=True),
            Column("margin_plan", Kind.MONEY, non_negative=True),
            _CURRENCY,
        ),
        rated_on="plan_month",
    ),
    Table(
        "finance",
        "sales_expenses",
        ("expense_id",),
        (
            Column("expense_id"),
            Column("expense_month", Kind.DATE),
            Column("manager_id", nullable=True, ref=Ref.MANAGER),
            Column("channel_code", nullable=True, ref=Ref.CHANNEL),
            Column("category", accepted=EXPENSE_CATEGORIES),
            _AMOUNT,
            _CURRENCY,
        ),
        rated_on="expense_month",
    ),
)
"""Every contract table, in the order ingestion loads them: rates before the money
that needs them, managers before the rows that name them."""

TABLES_BY_PATH: dict[str, Table] = {table.qualified: table for table in TABLES}


def table(qualified: str) -> Table:
    """The contract table for ``crm/deals``-style names."""
    try:
        return TABLES_BY_PATH[qualified]
    except KeyError:
        raise KeyError(f"{qualified!r} is not a table of the raw contract") from None


def with_references(selected: tuple[Table, ...]) -> tuple[Table, ...]:
    """``selected`` plus the tables their rows are checked against, in load order.

    Loading deals alone into an empty warehouse would reject every row for an unknown
    manager, for good; their managers and exchange rates must load first."""
    needed = set(selected)
    for chosen in selected:
        refs = {column.ref for column in chosen.columns}
        if Ref.MANAGER in refs:
            needed.add(TABLES_BY_PATH["crm/managers"])
        if Ref.CURRENCY in refs:
            needed.add(TABLES_BY_PATH["finance/fx_rates"])
    return tuple(candidate for candidate in TABLES if candidate in needed)
