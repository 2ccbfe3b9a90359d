"""The demo generator: deterministic, coherent stories, realistic volumes, messy files."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.demo import GeneratorConfig, generate
from orchestration.demo.workdays import HOLIDAYS
from orchestration.raw.checks import Violation

START = date(2024, 1, 1)
MONTHS = 12
# Every violation the ingestion knows but one: the generator's scores and rates stay in range.
MESSY_CODES = set(Violation) - {Violation.OUT_OF_RANGE}


def _run(out: Path, **options) -> dict[str, int]:
    options = {"start": START, "months": MONTHS, **options}
    return generate(GeneratorConfig(out=out, **options))


@pytest.fixture(scope="session")
def quarter(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("quarter")
    return out, _run(out, scale=0.25)


@pytest.fixture(scope="session")
def half(tmp_path_factory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("half")
    return out, _run(out, scale=0.5)


@pytest.fixture(scope="session")
def two_years(tmp_path_factory) -> duckdb.DuckDBPyConnection:
    """Half a unit over 24 months, as views named after the tables."""
    out = tmp_path_factory.mktemp("two_years")
    _run(out, scale=0.5, months=24)
    return _views(out)


@pytest.fixture(scope="session")
def messy(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("messy")
    _run(out, scale=0.05, months=3, messy=True)
    return out


@pytest.fixture(scope="session")
def db(quarter) -> duckdb.DuckDBPyConnection:
    out, _ = quarter
    return _views(out)


def _views(out: Path) -> duckdb.DuckDBPyConnection:
    """Views of every table; ``<table>_latest`` keeps the newest version of a record."""
    con = duckdb.connect()
    for folder in sorted(out.glob("*/*")):
        con.sql(f"create view {folder.name} as select * from '{folder}/*.parquet'")
    keys = {
        "deals": "deal_id",
        "leads": "lead_id",
        "invoices": "invoice_id",
        "managers": "manager_id",
        "tasks": "task_id",
        "activities": "activity_id",
        "clients": "client_id",
    }
    for name, key in keys.items():
        con.sql(
            f"create view {name}_latest as select * from {name} "
            f"qualify row_number() over (partition by {key} order by updated_at desc) = 1"
        )
    con.sql(
        """create view rated_payments as select p.*, p.amount * coalesce((
            select r.rate_to_base from fx_rates r where r.currency = p.currency
            and r.rate_date <= p.paid_at::date order by r.rate_date desc limit 1), 1) as rub
        from payments p"""
    )
    return con


def _one(con: duckdb.DuckDBPyConnection, sql: str):
    return con.sql(sql).fetchall()[0][0]


def _none(con: duckdb.DuckDBPyConnection, sql: str, label: str = "") -> None:
    assert _one(con, sql) == 0, label


def _some(con: duckdb.DuckDBPyConnection, sql: str, label: str = "") -> None:
    assert _one(con, sql) > 0, label


def _hashes(out: Path) -> dict[str, str]:
    return {
        path.relative_to(out).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


def test_same_arguments_give_identical_files(tmp_path):
    _run(tmp_path / "a", scale=0.1, months=4)
    _run(tmp_path / "b", scale=0.1, months=4)
    _run(tmp_path / "c", scale=0.1, months=4, seed=7)
    first, second = _hashes(tmp_path / "a"), _hashes(tmp_path / "b")
    assert first == second
    assert first != _hashes(tmp_path / "c")


def test_files_are_monthly_extracts(quarter):
    out, _ = quarter
    names = {path.name for path in (out / "crm" / "deals").iterdir()}
    assert "deals_2024-01.parquet" in names
    # Records from before the period belong to the first extract, not to earlier files.
    for folder in out.glob("*/*"):
        for path in folder.iterdir():
            assert path.name.startswith(f"{folder.name}_2024-") or folder.name == "products"
    assert (out / "finance" / "products" / "products.parquet").exists()


def test_chunks_write_parts_with_unique_ids(tmp_path):
    counts = _run(tmp_path, scale=1.2, months=2)
    assert any((tmp_path / "crm" / "deals").glob("deals_2024-01_part001.parquet"))
    con = duckdb.connect()
    rows = _one(con, f"select count(*) from '{tmp_path}/crm/managers/*.parquet'")
    distinct = _one(
        con,
        f"""select count(*) from (select distinct manager_id, updated_at
        from '{tmp_path}/crm/managers/*.parquet')""",
    )
    assert rows == distinct == counts["crm/managers"]


def test_volumes_follow_the_scale(quarter, half, db):
    (_, small), (_, large) = quarter, half
    for name in ("crm/leads", "crm/deals", "crm/activities", "finance/invoices"):
        assert 1.6 < large[name] / small[name] < 2.5, name
    # Scale 1 over 24 months: ~100k leads, 40k deals, 800k activities, 15k invoices.
    per_unit_year = {"leads": 50_000, "deals": 20_000, "activities": 400_000, "invoices": 7_500}
    keys = {
        "leads": "lead_id",
        "deals": "deal_id",
        "activities": "activity_id",
        "invoices": "invoice_id",
    }
    for name, target in per_unit_year.items():
        distinct = _one(db, f"select count(distinct {keys[name]}) from {name}")
        assert 0.5 * target * 0.25 < distinct < 1.6 * target * 0.25, name


def test_payments_follow_their_invoice(db):
    _none(
        db,
        """select count(*) from payments p join invoices_latest i using (invoice_id)
        where p.paid_at < i.issued_at or p.currency <> i.currency""",
    )
    assert _one(db, "select count(*) from payments where amount < 0") > 0
    _none(
        db,
        """select count(*) from invoices_latest i where status = 'cancelled'
        and exists (select 1 from payments p where p.invoice_id = i.invoice_id)""",
    )
    _some(
        db,
        """select count(*) from payments p join invoices_latest i using (invoice_id)
        where p.paid_at::date > i.due_on""",
    )


def test_deal_story_is_ordered(db):
    _none(
        db,
        """select count(*) from deal_stage_changes c join deals_latest d
        using (deal_id) where c.changed_at < d.created_at""",
    )
    _none(
        db,
        """select count(*) from (
        select s.stage_order < lag(s.stage_order) over (
            partition by c.deal_id order by c.changed_at, s.stage_order) as back
        from deal_stage_changes c join read_csv('seeds/deal_stages.csv') s
        on s.stage_code = c.to_stage) where back""",
    )
    _none(
        db,
        """select count(*) from deals_latest d join leads_latest l using (lead_id)
        where l.created_at > d.created_at or l.deal_id <> d.deal_id""",
    )
    _none(
        db,
        """select count(*) from proposals p join deals_latest d using (deal_id)
        where p.sent_at < d.created_at""",
    )
    _none(
        db,
        """select count(*) from invoices_latest i
        join contracts c using (contract_id) where c.signed_on > i.issued_at::date""",
    )
    assert _one(db, "select count(*) from deals_latest where closed_at < created_at") == 0
    _none(
        db,
        """select count(*) from deals_latest where (status = 'won' and closed_at is
        null) or (status = 'lost' and lost_reason_code is null)
        or (status = 'open' and closed_at is not null)""",
    )


def test_the_period_starts_in_the_steady_state(two_years):
    monthly = two_years.sql("""
        with money as (select date_trunc('month', paid_at) as month, sum(rub) as revenue,
                count(*) as payments from rated_payments group by 1),
            won as (select date_trunc('month', closed_at) as month, count(*) as won
                from deals_latest where status = 'won' group by 1),
            done as (select date_trunc('month', occurred_at) as month, count(*) as activities
                from activities_latest where occurred_at is not null group by 1)
        select revenue, payments, won, activities
        from money join won using (month) join done using (month) order by month""").fetchall()
    assert len(monthly) == 24
    for column, name in enumerate(("revenue", "payments", "won", "activities")):
        first = float(monthly[0][column])
        steady = sum(float(row[column]) for row in monthly[3:]) / len(monthly[3:])
        # A company of 20 sellers has lumpy months; a cold start gives 0.01-0.3 here.
        assert 0.45 < first / steady < 1.55, name
        # The same month a year later has the same season.
        assert 0.6 < first / float(monthly[12][column]) < 1.5, name


def test_the_first_day_has_a_pipeline_and_customers(two_years):
    start = "timestamp '2024-01-01'"
    open_stages = _one(
        two_years, "select count(*) from read_csv('seeds/deal_stages.csv') where not is_closed"
    )
    # A deal's stage on the first day is where its first move in the period leaves from.
    stages_on_first_day = _one(
        two_years,
        f"""select count(distinct stage) from (
            select deal_id, arg_min(from_stage, changed_at) as stage
            from deal_stage_changes group by 1) join deals_latest d using (deal_id)
        where d.created_at < {start}""",
    )
    assert stages_on_first_day == open_stages
    _some(
        two_years,
        f"""select count(*) from deals_latest where channel_code = 'repeat'
        and created_at < {start} + interval 1 month""",
    )
    _some(
        two_years,
        f"""select count(*) from deals_latest d join clients_latest c using (client_id)
        where d.status = 'won' and d.closed_at < {start} + interval 1 month
        and c.created_at < {start}""",
    )


def test_the_extract_holds_no_story_that_ended_before_it(two_years):
    start = "timestamp '2024-01-01'"
    for name, column in (
        ("payments", "paid_at"),
        ("deal_stage_changes", "changed_at"),
        ("surveys", "responded_at"),
        ("activities_latest", "updated_at"),
        ("tasks_latest", "completed_at"),
        ("sales_plans", "plan_month"),
        ("sales_expenses", "expense_month"),
    ):
        _none(two_years, f"select count(*) from {name} where {column} < {start}", name)
    _none(
        two_years,
        f"""select count(*) from deals_latest where closed_at < {start} and deal_id not in (
            select i.deal_id from payments p join invoices_latest i using (invoice_id))""",
    )
    _none(
        two_years,
        f"""select count(*) from leads_latest l where updated_at < {start}
        and status in ('converted', 'disqualified')
        and not exists (select 1 from deals d where d.lead_id = l.lead_id)""",
    )
    _some(two_years, f"select count(*) from deals_latest where created_at < {start}")


_REFERENCES = (
    ("deals", "lead_id", "leads"),
    ("deals", "client_id", "clients"),
    ("leads", "deal_id", "deals"),
    ("leads", "client_id", "clients"),
    ("deal_stage_changes", "deal_id", "deals"),
    ("activities", "lead_id", "leads"),
    ("activities", "deal_id", "deals"),
    ("activities", "client_id", "clients"),
    ("proposals", "deal_id", "deals"),
    ("tasks", "deal_id", "deals"),
    ("surveys", "deal_id", "deals"),
    ("surveys", "client_id", "clients"),
    ("contracts", "deal_id", "deals"),
    ("invoices", "deal_id", "deals"),
    ("invoices", "contract_id", "contracts"),
    ("invoice_lines", "invoice_id", "invoices"),
    ("payments", "invoice_id", "invoices"),
)


def test_every_record_reference_resolves(two_years):
    for child, column, parent in _REFERENCES:
        _none(
            two_years,
            f"""select count(*) from {child} where {column} is not null
            and {column} not in (select {column} from {parent})""",
            f"{child}.{column}",
        )


def test_stage_skips_exist(db):
    skips = _one(
        db,
        """select count(*) from deal_stage_changes c
        join read_csv('seeds/deal_stages.csv') f on f.stage_code = c.from_stage
        join read_csv('seeds/deal_stages.csv') t on t.stage_code = c.to_stage
        where t.stage_order - f.stage_order > 1 and not t.is_closed""",
    )
    assert skips > 0


def test_nothing_happens_after_the_period(db):
    end = "timestamp '2025-01-01'"
    for name, column in (
        ("deals", "updated_at"),
        ("payments", "paid_at"),
        ("activities", "updated_at"),
        ("deal_stage_changes", "changed_at"),
        ("invoices", "updated_at"),
        ("tasks", "updated_at"),
    ):
        assert _one(db, f"select count(*) from {name} where {column} >= {end}") == 0, name


# Every table with a currency, with the date its amounts are converted at (none: any rate).
_DATED_CURRENCIES = (
    ("deals", "created_at"),
    ("proposals", "sent_at"),
    ("contracts", "signed_on"),
    ("invoices", "issued_at"),
    ("payments", "paid_at"),
    ("sales_plans", "plan_month"),
    ("sales_expenses", "expense_month"),
    ("products", "null"),
)


def _unrated(con: duckdb.DuckDBPyConnection, reporting: str) -> int:
    """Rows in a currency other than the reporting one with no rate on or before their date."""
    dated = " union all ".join(
        f"select currency, {column}::date as day from {name}" for name, column in _DATED_CURRENCIES
    )
    return _one(
        con,
        f"""select count(*) from ({dated}) e
        where currency <> '{reporting}' and not exists (select 1 from fx_rates r
            where r.currency = e.currency and (e.day is null or r.rate_date <= e.day))""",
    )


def test_every_currency_has_an_earlier_rate(db):
    assert _unrated(db, "RUB") == 0
    assert _one(db, "select count(*) from fx_rates where currency = 'RUB'") == 0
    # Records alive at the start were created before it, so rates start before it too.
    assert _one(db, "select min(rate_date) from fx_rates") < START
    usd = db.sql(
        "select min(rate_to_base), max(rate_to_base) from fx_rates where currency = 'USD'"
    ).fetchall()[0]
    assert 85 < usd[0] < usd[1] < 105
    weekend = _one(db, "select count(*) from fx_rates where isodow(rate_date) >= 6")
    assert weekend <= 3  # only the first day of the rates may be a weekend


def test_rates_are_in_the_reporting_currency(tmp_path):
    _run(tmp_path, scale=0.05, months=3, reporting_currency="USD")
    con = _views(tmp_path)
    assert _unrated(con, "USD") == 0
    currencies = {row[0] for row in con.sql("select distinct currency from fx_rates").fetchall()}
    assert currencies == {"RUB", "EUR", "KZT"}
    rub = con.sql(
        "select min(rate_to_base), max(rate_to_base) from fx_rates where currency = 'RUB'"
    ).fetchall()[0]
    assert 1 / 105 < rub[0] < rub[1] < 1 / 85
    # The company still sells mostly in roubles.
    assert _one(con, "select avg((currency = 'RUB')::int) from deals") > 0.5


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"months": 0}, "months must be at least 1"),
        ({"months": -3}, "months must be at least 1"),
        ({"scale": 0}, "scale must be greater than 0"),
        ({"scale": -1.0}, "scale must be greater than 0"),
        ({"reporting_currency": "GBP"}, "reporting currency must be one of"),
    ],
)
def test_config_refuses_impossible_runs(tmp_path, options, message):
    with pytest.raises(ValueError, match=message):
        GeneratorConfig(out=tmp_path, **options)
    assert not any(tmp_path.iterdir())


def test_activities_in_moscow_working_hours(db):
    holidays = " or ".join(f"(month(t) = {m} and day(t) = {d})" for m, d in HOLIDAYS)
    for column in ("created_at", "occurred_at"):
        bad = _one(
            db,
            f"""select count(*) from (select {column} as t from activities
            where {column} is not null and not is_deleted)
            where isodow(t) >= 6 or hour(t) < 6 or hour(t) >= 16 or {holidays}""",
        )
        assert bad == 0, column


def test_references_resolve(db):
    for name, column in (
        ("deals", "manager_id"),
        ("activities", "manager_id"),
        ("leads", "manager_id"),
        ("tasks", "manager_id"),
        ("sales_plans", "manager_id"),
        ("clients", "owner_manager_id"),
        ("deal_stage_changes", "manager_id"),
        ("surveys", "manager_id"),
    ):
        _none(
            db,
            f"""select count(*) from {name} where {column} is not null
            and {column} not in (select manager_id from managers)""",
            name,
        )


def _attainment(con: duckdb.DuckDBPyConnection) -> list[tuple[str, object, float, float]]:
    """Manager, month, revenue in RUB and revenue plan of every all-channel plan row."""
    return con.sql("""
        with revenue as (
            select d.manager_id, date_trunc('month', p.paid_at)::date as month, sum(p.rub) as rub
            from rated_payments p join invoices_latest i using (invoice_id)
            join deals_latest d using (deal_id) group by all)
        select s.manager_id, s.plan_month, coalesce(v.rub, 0)::double, s.revenue_plan::double
        from sales_plans s left join revenue v
        on s.manager_id = v.manager_id and s.plan_month = v.month
        where s.channel_code is null""").fetchall()


def _quantile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(int(share * len(ordered)), len(ordered) - 1)]


def test_plans_are_within_reach_and_still_rank_managers(two_years):
    rows = _attainment(two_years)
    months = [rub / plan for _, month, rub, plan in rows if month >= date(2024, 4, 1)]
    assert _quantile(months, 0.1) > 0.4
    assert _quantile(months, 0.9) < 1.5
    assert sum(value < 0.8 for value in months) > 0.1 * len(months)
    assert sum(value > 1.1 for value in months) > 0.1 * len(months)
    totals: dict[str, list[float]] = {}
    for manager, _, rub, plan in rows:
        total = totals.setdefault(manager, [0.0, 0.0, 0])
        total[0], total[1], total[2] = total[0] + rub, total[1] + plan, total[2] + 1
    per_manager = [rub / plan for rub, plan, months in totals.values() if months >= 3]
    within = [0.55 < value < 1.4 for value in per_manager]
    assert sum(within) >= 0.9 * len(per_manager)
    # Still a ranking: the best managers beat their plans by more than the weakest.
    assert _quantile(per_manager, 0.9) > 1.2 * _quantile(per_manager, 0.1)


def test_plans_add_up_and_follow_the_revenue_plan(two_years):
    _none(
        two_years,
        """select count(*) from sales_plans t join (
            select manager_id, plan_month, sum(revenue_plan) as revenue,
                sum(deals_plan) as deals, sum(margin_plan) as margin
            from sales_plans where channel_code is not null group by all) c
        using (manager_id, plan_month) where t.channel_code is null
        and (t.revenue_plan <> c.revenue or t.deals_plan <> c.deals
            or t.margin_plan <> c.margin)""",
    )
    per_deal = two_years.sql(
        """select min(revenue_plan / deals_plan), max(revenue_plan / deals_plan),
        max(margin_plan / revenue_plan) from sales_plans
        where channel_code is null and revenue_plan >= 1000000"""
    ).fetchall()[0]
    assert 30_000 < per_deal[0] < per_deal[1] < 3_000_000
    assert per_deal[2] < 1
    # A new hire's plan grows over the first months, with their ramp-up.
    ramp = two_years.sql(
        """select date_diff('month', m.hired_on, s.plan_month) as tenure,
            avg(s.revenue_plan) as plan
        from sales_plans s join managers_latest m using (manager_id)
        where s.channel_code is null and m.hired_on > date '2024-01-01' and m.fired_on is null
        group by 1 order by 1"""
    ).fetchall()
    plan = dict(ramp)
    assert plan[0] < plan[2] < plan[5]


def test_every_planned_manager_sells(two_years):
    _none(
        two_years,
        """select count(*) from (select distinct manager_id from sales_plans) s
        where manager_id not in (select manager_id from deals)""",
    )
    _some(
        two_years,
        """select count(*) from rated_payments p join invoices_latest i using (invoice_id)
        join deals_latest d using (deal_id) join managers_latest m using (manager_id)
        where m.role = 'head'""",
    )


def test_people_change_and_records_are_versioned(quarter, db):
    out, _ = quarter
    _some(
        db,
        """select count(*) from (select manager_id from managers
        group by 1 having count(distinct team_id) > 1)""",
    )
    assert _one(db, "select count(*) from managers where fired_on is not null") > 0
    assert _one(db, "select count(*) from teams where head_manager_id is null") == 0
    for name in ("deals", "leads", "activities", "tasks"):
        assert _one(db, f"select count(*) from {name} where is_deleted") > 0, name
    # A record's versions arrive in different monthly files.
    for name, key in (("deals", "deal_id"), ("leads", "lead_id"), ("invoices", "invoice_id")):
        spread = _one(
            db,
            f"""select count(*) from (select {key} from
            read_parquet('{out}/*/{name}/*.parquet', filename = true)
            group by 1 having count(distinct filename) > 1)""",
        )
        assert spread > 0, name


def test_leads_pass_to_the_head_when_their_manager_leaves(db):
    _none(
        db,
        """select count(*) from leads_latest l join managers_latest m using (manager_id)
        where m.fired_on is not null and l.status not in ('converted', 'disqualified')
        and not l.is_deleted""",
        "open lead of a manager who left",
    )
    _some(
        db,
        """select count(*) from leads l join managers_latest m using (manager_id)
        join managers_latest f on f.manager_id = (select p.manager_id from leads p
            where p.lead_id = l.lead_id order by p.updated_at limit 1)
        where m.role = 'head' and f.fired_on is not null
        and l.updated_at >= f.fired_on""",
        "hand-over versions",
    )
    # Whoever works a lead is the manager its record names at that moment.
    _none(
        db,
        """select count(*) from activities a, lateral (select l.manager_id from leads l
            where l.lead_id = a.lead_id and l.updated_at <= a.updated_at
            order by l.updated_at desc limit 1) v
        where not a.is_deleted and a.manager_id is distinct from v.manager_id""",
        "lead activity by someone else than the lead's owner",
    )


def test_kpi_ingredients_exist(db):
    checks = {
        "answered inbound leads": """select count(*) from leads l join activities a
            using (lead_id) where l.channel_code = 'inbound' and a.direction = 'outbound'
            and a.status = 'completed' and a.occurred_at > l.created_at""",
        "decision maker meetings": "select count(*) from activities where with_decision_maker",
        "greetings and surveys": "select count(*) from activities where purpose in ('greeting',"
        " 'survey') and status = 'completed'",
        "competitive deals": "select count(*) from deals where is_competitive",
        "key accounts": "select count(*) from clients where is_key_account",
        "target segment": "select count(*) from clients where is_target_segment",
        "event contacts": "select count(*) from clients where acquisition_source in ('event',"
        " 'networking')",
        "overdue tasks": """select count(*) from tasks_latest where completed_at is null
            and due_at < timestamp '2025-01-01'""",
        "manager fault": """select count(*) from deals_latest d join
            read_csv('seeds/lost_reasons.csv') r using (lost_reason_code)
            where r.is_manager_fault""",
        "repeat customers": """select count(*) from (select client_id from deals_latest
            where status = 'won' group by 1 having count(*) > 1)""",
        "surveys": "select count(*) from surveys where nps_score is not null",
        "other currencies": "select count(*) from invoices where currency <> 'RUB'",
        "partial payments": "select count(*) from invoices_latest where status = "
        "'partially_paid' or invoice_id in (select invoice_id from payments group by 1 "
        "having count(*) > 1)",
        "open deals": "select count(*) from deals_latest where status = 'open'",
    }
    for label, sql in checks.items():
        assert _one(db, sql) > 0, label


def test_messy_manifest(messy):
    manifest = json.loads((messy / "_messy_manifest.json").read_text(encoding="utf-8"))
    assert manifest == sorted(
        manifest, key=lambda e: (e["table"], e["file"], e["row_number"] or 0, e["violation"])
    )
    for entry in manifest:
        assert (messy / entry["file"]).exists()
        assert entry["violation"] in MESSY_CODES
    assert {entry["violation"] for entry in manifest} == MESSY_CODES


def test_csv_has_the_same_rows_as_parquet(tmp_path):
    parquet = _run(tmp_path / "p", scale=0.05, months=3)
    csv = _run(tmp_path / "c", scale=0.05, months=3, file_format="csv")
    assert csv == parquet
    con = duckdb.connect()
    rows = _one(con, f"select count(*) from read_csv('{tmp_path}/c/crm/deals/*.csv')")
    assert rows == csv["crm/deals"]


def test_generate_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    real_export = tmp_path / "landing" / "crm" / "deals" / "deals_from_our_crm.csv"
    real_export.parent.mkdir(parents=True)
    real_export.write_text("deal_id\nD-1\n", encoding="utf-8")

    with pytest.raises(FileExistsError, match="did not write"):
        generate(GeneratorConfig(out=tmp_path / "landing", scale=0.05, months=1))

    assert real_export.read_text(encoding="utf-8") == "deal_id\nD-1\n"


def test_generate_replaces_its_own_earlier_files(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "landing"
    generate(GeneratorConfig(out=out, scale=0.05, months=2))
    generate(GeneratorConfig(out=out, scale=0.05, months=1, seed=9))

    assert "will mix both companies" in caplog.text
    deal_files = sorted(p.name for p in (out / "crm" / "deals").iterdir())
    assert deal_files == ["deals_2024-01.parquet"]
