"""``dbt build`` of the whole project on a small demo company: every model builds and
every data and unit test passes; the marts hold no personal data; everything is
documented."""

from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from orchestration.settings import Settings
from orchestration.transform import DbtOutcome, run_dbt

FACTS = (
    "fct_deals",
    "fct_leads",
    "fct_activities",
    "fct_deal_stage_changes",
    "fct_proposals",
    "fct_contracts",
    "fct_invoices",
    "fct_invoice_lines",
    "fct_payments",
    "fct_surveys",
    "fct_tasks",
    "fct_sales_plans",
    "fct_sales_expenses",
)


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def test_every_model_and_test_passes(built: tuple[Settings, DbtOutcome]) -> None:
    _, outcome = built
    assert outcome.failures == ()
    assert outcome.succeeded


@pytest.mark.parametrize("fact", FACTS)
def test_every_fact_has_rows(built: tuple[Settings, DbtOutcome], fact: str) -> None:
    settings, _ = built
    assert _query(settings, f"select count(*) from marts.{fact}")[0][0] > 0


def test_every_manager_event_has_the_team_of_its_time(
    built: tuple[Settings, DbtOutcome],
) -> None:
    settings, _ = built
    missing = _query(
        settings,
        " union all ".join(
            f"select '{fact}', count(*) from marts.{fact} "
            "where manager_id is not null and team_id is null"
            for fact in FACTS
        ),
    )
    assert [row for row in missing if row[1]] == []


def test_payments_convert_at_the_rate_of_their_local_date(
    built: tuple[Settings, DbtOutcome],
) -> None:
    settings, _ = built
    wrong = _query(
        settings,
        """
        select count(*)
        from marts.fct_payments as payments
        where payments.currency <> 'RUB' and payments.amount_reporting is distinct from (
            select round(cast(payments.amount as decimal(38, 10)) * rates.rate_to_base, 2)
            from staging.stg_finance__fx_rates as rates
            where rates.currency = payments.currency
              and rates.rate_date <= cast(
                  timezone('Europe/Moscow', timezone('UTC', payments.paid_at)) as date)
            order by rates.rate_date desc
            limit 1
        )
        """,
    )
    rub_mismatch = _query(
        settings,
        "select count(*) from marts.fct_payments "
        "where currency = 'RUB' and amount_reporting is distinct from amount",
    )
    foreign = _query(settings, "select count(*) from marts.fct_payments where currency <> 'RUB'")
    assert foreign[0][0] > 0
    assert wrong[0][0] == 0
    assert rub_mismatch[0][0] == 0


def test_personal_data_never_reaches_the_marts(built: tuple[Settings, DbtOutcome]) -> None:
    settings, _ = built
    personal = _query(
        settings,
        "select table_name, column_name from information_schema.columns "
        "where table_schema = 'marts' and column_name in ('email', 'phone')",
    )
    assert personal == []


def test_every_model_and_column_is_documented(built: tuple[Settings, DbtOutcome]) -> None:
    settings, _ = built
    outcome = run_dbt("docs generate", settings)
    assert outcome.succeeded
    target = Path(os.environ["DBT_TARGET_PATH"])
    manifest = json.loads((target / "manifest.json").read_text())
    catalog = json.loads((target / "catalog.json").read_text())
    undocumented = []
    for unique_id, node in manifest["nodes"].items():
        if node["resource_type"] not in {"model", "seed"}:
            continue
        if not node["description"].strip():
            undocumented.append(unique_id)
        documented = {
            name for name, column in node["columns"].items() if column["description"].strip()
        }
        built_columns = {name.lower() for name in catalog["nodes"][unique_id]["columns"]}
        undocumented += [f"{unique_id}.{name}" for name in sorted(built_columns - documented)]
    assert undocumented == []
