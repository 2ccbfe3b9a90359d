"""The short report ``make run`` ends with: the latest full month at a glance.

It reads the KPI marts read-only, so it can run beside BI tools, and picks the
latest month that the data covers to its last day (a month still in progress would
rank managers on half a month).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path

import duckdb

logger = logging.getLogger(__name__)

TOP_MANAGERS = 5

_LATEST_FULL_MONTH = """
    with last_event as (
        select greatest(
            (select max(paid_date) from fct_payments),
            (select max(event_date) from fct_activities),
            (select max(closed_date) from fct_deals)
        ) as last_date
    )
    select max(period_start)
    from kpi_company_period, last_event
    where period_grain = 'month' and period_end <= last_event.last_date
"""

_COMPANY = """
    select revenue, revenue_plan, plan_attainment_pct, deals_won, win_rate_pct,
        avg_deal_size, new_customers
    from kpi_company_period
    where period_grain = 'month' and period_start = ?
"""

_TOP_BY = """
    select managers.manager_name, teams.team_name, managers.revenue,
        managers.plan_attainment_pct
    from kpi_manager_period as managers
    left join dim_teams as teams on managers.team_id = teams.team_id
    where managers.period_grain = 'month' and managers.period_start = ?
        and managers.{column} is not null
    order by managers.{column} desc, managers.manager_id
    limit ?
"""


@dataclass(frozen=True)
class CompanyMonth:
    """NULL (None) wherever the dataset lacks what a KPI needs, e.g. revenue without
    payment data."""

    revenue: Decimal | None
    revenue_plan: Decimal | None
    plan_attainment_pct: float | None
    deals_won: int | None
    win_rate_pct: float | None
    avg_deal_size: Decimal | None
    new_customers: int | None


@dataclass(frozen=True)
class ManagerMonth:
    manager_name: str
    team_name: str | None
    revenue: Decimal | None
    plan_attainment_pct: float | None


@dataclass(frozen=True)
class MonthSummary:
    month: date
    company: CompanyMonth
    top_by_revenue: list[ManagerMonth]
    top_by_plan_attainment: list[ManagerMonth]


def _use_marts(connection: duckdb.DuckDBPyConnection) -> None:
    """Point unqualified names at the marts: the ``marts`` schema of the warehouse, or
    the default schema of the serving file, which holds them."""
    has_marts_schema = connection.execute(
        "select count(*) from duckdb_schemas() "
        "where database_name = current_database() and schema_name = 'marts'"
    ).fetchall()[0][0]
    if has_marts_schema:
        connection.execute("use marts")


def latest_month_summary(database: Path, top: int = TOP_MANAGERS) -> MonthSummary | None:
    """The latest full month of the marts in ``database``; None when there is none."""
    with duckdb.connect(str(database), read_only=True) as connection:
        _use_marts(connection)
        month = connection.execute(_LATEST_FULL_MONTH).fetchall()[0][0]
        if month is None:
            return None
        company = CompanyMonth(*connection.execute(_COMPANY, [month]).fetchall()[0])

        def top_by(column: str) -> list[ManagerMonth]:
            rows = connection.execute(_TOP_BY.format(column=column), [month, top]).fetchall()
            return [ManagerMonth(*row) for row in rows]

        return MonthSummary(month, company, top_by("revenue"), top_by("plan_attainment_pct"))


def _money(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:,.0f}".replace(",", " ")


def _count(value: int | None) -> str:
    """A count, or a dash when the data cannot give it (an export without the table)."""
    return "—" if value is None else str(value)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _manager_lines(managers: list[ManagerMonth]) -> list[str]:
    return [
        f"  {rank}. {manager.manager_name:<28} {manager.team_name or '—':<16}"
        f" {_money(manager.revenue):>16} {_percent(manager.plan_attainment_pct):>9}"
        for rank, manager in enumerate(managers, start=1)
    ]


def format_summary(summary: MonthSummary, currency: str) -> str:
    """The report as text: the company's month, then the top managers twice."""
    company = summary.company
    header = f"  {'':3}{'manager':<28} {'team':<16} {'revenue, ' + currency:>16} {'plan':>9}"
    lines = [
        f"Latest full month: {summary.month:%Y-%m}",
        f"  revenue {_money(company.revenue)} {currency}"
        f" of plan {_money(company.revenue_plan)} ({_percent(company.plan_attainment_pct)}),"
        f" {_count(company.deals_won)} deals won (win rate {_percent(company.win_rate_pct)}),"
        f" average deal {_money(company.avg_deal_size)},"
        f" {_count(company.new_customers)} new customers",
        "Top managers by revenue:",
        header,
        *_manager_lines(summary.top_by_revenue),
        "Top managers by plan attainment:",
        header,
        *_manager_lines(summary.top_by_plan_attainment),
    ]
    return "\n".join(lines)


def log_latest_month(database: Path, currency: str) -> bool:
    """Log the summary; False when the marts have no full month yet."""
    summary = latest_month_summary(database)
    if summary is None:
        logger.warning("no full month in %s yet: nothing to summarise", database)
        return False
    logger.info("%s", format_summary(summary, currency))
    return True
