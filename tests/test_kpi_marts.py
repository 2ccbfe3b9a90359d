"""Invariants of the KPI marts on a small demo company: the catalogue, the marts and
kpi_long agree; additive KPIs add up across entities and periods; revenue matches the
raw payments converted independently; ratios come from summed parts; percentages stay
in range; entity series have no gaps."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration.cli import main as salesdw
from orchestration.kpi_docs import CATALOGUE_CSV, read_catalogue
from orchestration.settings import Settings
from orchestration.transform import DbtOutcome

WIDE_MARTS = {
    "kpi_manager_period": ("manager_id", "manager_name", "team_id"),
    "kpi_team_period": ("team_id", "team_name"),
    "kpi_channel_period": ("channel_code", "channel_name"),
    "kpi_company_period": (),
}
PERIOD_COLUMNS = ("period_grain", "period_start", "period_end")
ENTITY_KEYS = {"manager": "manager_id", "team": "team_id", "channel": "channel_code"}
MONTHLY_ONLY = {"revenue_plan", "cost_of_sales"}
"""Additive KPIs from monthly inputs (plans, expenses): NULL below month grain."""
BOUNDED_PERCENTS = (
    "win_rate_pct",
    "win_rate_amount_pct",
    "lead_conversion_pct",
    "competitive_win_rate_pct",
    "repeat_purchase_rate_pct",
    "retention_rate_pct",
    "crm_hygiene_pct",
)


CATALOGUE_KPIS = read_catalogue(CATALOGUE_CSV)
KPI_CODES = [kpi.code for kpi in CATALOGUE_KPIS]
ADDITIVE = [kpi.code for kpi in CATALOGUE_KPIS if kpi.aggregation == "sum"]


@pytest.fixture(scope="module")
def marts(built: tuple[Settings, DbtOutcome]) -> Iterator[duckdb.DuckDBPyConnection]:
    settings, outcome = built
    assert outcome.succeeded, outcome.failures
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        yield connection


def _rows(connection: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return connection.execute(sql).fetchall()


@pytest.mark.parametrize(("mart", "keys"), WIDE_MARTS.items())
def test_wide_marts_have_one_column_per_kpi_in_catalogue_order(
    marts: duckdb.DuckDBPyConnection, mart: str, keys: tuple[str, ...]
) -> None:
    columns = [
        row[0]
        for row in _rows(
            marts,
            "select column_name from information_schema.columns"
            f" where table_schema = 'marts' and table_name = '{mart}' order by ordinal_position",
        )
    ]
    assert columns == [*keys, *PERIOD_COLUMNS, *KPI_CODES]


def test_every_kpi_has_rows_in_kpi_long_and_the_catalogue_mart(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    long_codes = {row[0] for row in _rows(marts, "select distinct kpi_code from marts.kpi_long")}
    catalogue_codes = {row[0] for row in _rows(marts, "select kpi_code from marts.kpi_catalogue")}
    assert long_codes == set(KPI_CODES)
    assert catalogue_codes == set(KPI_CODES)


def test_money_counts_and_ratios_have_the_contract_types(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    types = dict(
        _rows(
            marts,
            "select column_name, data_type from information_schema.columns"
            " where table_schema = 'marts' and table_name = 'kpi_company_period'",
        )
    )
    units = {kpi.code: kpi.unit for kpi in CATALOGUE_KPIS}
    assert types["revenue"] == "DECIMAL(18,2)"
    assert types["deals_won"] == "BIGINT"
    assert types["win_rate_pct"] == "DOUBLE"
    for code, unit in units.items():
        if unit == "money":
            assert types[code] == "DECIMAL(18,2)", code
        if unit in {"percent", "ratio", "score", "days", "minutes"}:
            assert types[code] == "DOUBLE", code
    assert "HUGEINT" not in types.values()


def test_kpi_long_holds_the_values_of_the_wide_marts(marts: duckdb.DuckDBPyConnection) -> None:
    for code in KPI_CODES:
        mismatches = _rows(
            marts,
            f"""
            select wide.period_grain, wide.period_start, wide.{code}, long.value
            from marts.kpi_company_period as wide
            full outer join (
                select * from marts.kpi_long
                where kpi_code = '{code}' and entity_type = 'company'
            ) as long
                on wide.period_grain = long.period_grain
                and wide.period_start = long.period_start
            where wide.{code} is distinct from long.value
                and abs(cast(wide.{code} as double) - long.value) > 1e-6
                or (wide.{code} is null) != (long.value is null)
            """,
        )
        assert mismatches == [], code


@pytest.mark.parametrize("entity", ["manager", "team", "channel"])
def test_additive_kpis_of_all_entities_sum_to_the_company(
    marts: duckdb.DuckDBPyConnection, entity: str
) -> None:
    """Σ entities + what no entity of that kind owns (finance rows of deleted deals,
    overhead, plans for all channels at channel grain) = the company."""
    key = ENTITY_KEYS[entity]
    for code in ADDITIVE:
        unowned = (
            f"""
            select day_periods.period_grain, day_periods.period_start,
                sum(measures.{code}) as value
            from intermediate.int_kpi__daily_measures as measures
            inner join intermediate.int_kpi__day_periods as day_periods
                on measures.measure_date = day_periods.date_day
            where measures.{key} is null
            group by 1, 2
        """
            if code in _parts_with_same_name()
            else "select null as period_grain, null as period_start, 0 as value where false"
        )
        differences = _rows(
            marts,
            f"""
            with entity_sums as (
                select period_grain, period_start, sum({code}) as value
                from marts.kpi_{entity}_period group by 1, 2
            ),
            unowned as ({unowned})
            select company.period_grain, company.period_start, company.{code},
                entity_sums.value, unowned.value
            from marts.kpi_company_period as company
            left join entity_sums using (period_grain, period_start)
            left join unowned using (period_grain, period_start)
            where company.{code} is not null
                and abs(company.{code} - coalesce(entity_sums.value, 0)
                    - coalesce(unowned.value, 0)) > 0.001
            """,
        )
        if entity == "channel" and code == "revenue_plan":
            continue  # channel plans are their own rows, not a split of the total plan
        assert differences == [], (entity, code, differences[:3])


def _parts_with_same_name() -> set[str]:
    return set(ADDITIVE) - {"revenue_plan"}


@pytest.mark.parametrize("coarse", ["week", "month", "year"])
def test_additive_kpis_of_days_sum_to_coarser_periods(
    marts: duckdb.DuckDBPyConnection, coarse: str
) -> None:
    for code in set(ADDITIVE) - MONTHLY_ONLY:
        differences = _rows(
            marts,
            f"""
            with days as (
                select manager_id, coarse.period_start, sum(days.{code}) as value
                from marts.kpi_manager_period as days
                inner join intermediate.int_kpi__day_periods as coarse
                    on days.period_start = coarse.date_day
                    and coarse.period_grain = '{coarse}'
                where days.period_grain = 'day'
                group by 1, 2
            )
            select periods.manager_id, periods.period_start, periods.{code}, days.value
            from marts.kpi_manager_period as periods
            left join days using (manager_id, period_start)
            where periods.period_grain = '{coarse}'
                and periods.{code} != coalesce(days.value, 0)
            """,
        )
        assert differences == [], (code, differences[:3])


def test_monthly_inputs_sum_from_months_to_years(marts: duckdb.DuckDBPyConnection) -> None:
    for code in MONTHLY_ONLY:
        differences = _rows(
            marts,
            f"""
            select years.period_start, years.{code}, sum(months.{code})
            from marts.kpi_company_period as years
            inner join marts.kpi_company_period as months
                on months.period_grain = 'month'
                and months.period_start between years.period_start and years.period_end
            where years.period_grain = 'year'
            group by 1, 2
            having years.{code} != sum(months.{code})
            """,
        )
        assert differences == [], code
    assert _rows(
        marts,
        "select count(*) from marts.kpi_company_period"
        " where period_grain in ('day', 'week') and revenue_plan is not null",
    ) == [(0,)]


def test_revenue_equals_raw_payments_converted_at_the_local_date_rate(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """An independent route from the raw tables: newest version of each payment, its
    Moscow date, the latest published rate on or before it, rounded per payment."""
    differences = _rows(
        marts,
        """
        with payments as (
            select *, cast(timezone('Europe/Moscow', timezone('UTC', paid_at)) as date)
                as local_date
            from raw.finance__payments
            qualify row_number() over (
                partition by payment_id order by _file_id desc, _row_number desc
            ) = 1
        ),
        rates as (
            select rate_date, upper(currency) as currency, rate_to_base
            from raw.finance__fx_rates
            qualify row_number() over (
                partition by rate_date, upper(currency) order by _file_id desc
            ) = 1
        ),
        converted as (
            select payments.local_date,
                round(cast(payments.amount as decimal(38, 10))
                    * coalesce(rates.rate_to_base, 1), 2) as amount_rub
            from payments
            asof left join rates
                on upper(payments.currency) = rates.currency
                and payments.local_date >= rates.rate_date
        ),
        by_month as (
            select date_trunc('month', local_date) as month, sum(amount_rub) as revenue
            from converted group by 1
        )
        select by_month.month, by_month.revenue, company.revenue
        from by_month
        full outer join (
            select period_start, revenue from marts.kpi_company_period
            where period_grain = 'month' and revenue != 0
        ) as company on by_month.month = company.period_start
        where by_month.revenue is distinct from company.revenue
        """,
    )
    assert differences == []


def test_ratios_come_from_summed_parts_not_averaged_ratios(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    rows = _rows(
        marts,
        """
        select years.win_rate_pct,
            100.0 * sum(months.deals_won) / nullif(sum(months.deals_won + months.deals_lost), 0),
            avg(months.win_rate_pct)
        from marts.kpi_company_period as years
        inner join marts.kpi_company_period as months
            on months.period_grain = 'month'
            and months.period_start between years.period_start and years.period_end
        where years.period_grain = 'year'
        group by years.period_start, years.win_rate_pct
        """,
    )
    assert rows
    for year_rate, from_parts, _ in rows:
        assert year_rate == pytest.approx(from_parts)


def test_percentages_stay_in_range(marts: duckdb.DuckDBPyConnection) -> None:
    codes = ", ".join(f"'{code}'" for code in BOUNDED_PERCENTS)
    assert (
        _rows(
            marts,
            f"select kpi_code, value from marts.kpi_long where kpi_code in ({codes})"
            " and (value < 0 or value > 100)",
        )
        == []
    )
    assert (
        _rows(
            marts,
            "select value from marts.kpi_long where kpi_code = 'nps' and abs(value) > 100",
        )
        == []
    )


def test_zero_denominators_give_null_not_zero(marts: duckdb.DuckDBPyConnection) -> None:
    assert _rows(
        marts,
        "select count(*) from marts.kpi_manager_period"
        " where deals_won + deals_lost = 0 and win_rate_pct is not null",
    ) == [(0,)]
    assert _rows(
        marts,
        "select count(*) from marts.kpi_manager_period where deals_won = 0"
        " and (avg_deal_size is not null or win_rate_pct = 0 and deals_lost = 0)",
    ) == [(0,)]


@pytest.mark.parametrize("entity", ["manager", "team", "channel"])
def test_entity_series_have_no_gaps(marts: duckdb.DuckDBPyConnection, entity: str) -> None:
    key = ENTITY_KEYS[entity]
    gaps = _rows(
        marts,
        f"""
        select {key}, period_grain, count(*) as periods,
            count(distinct period_start) as distinct_periods,
            min(period_start) as first_period, max(period_start) as last_period
        from marts.kpi_{entity}_period
        where period_grain in ('day', 'month')
        group by 1, 2
        having count(*) != case period_grain
            when 'day' then datediff('day', min(period_start), max(period_start)) + 1
            else datediff('month', min(period_start), max(period_start)) + 1
        end
        """,
    )
    assert gaps == []


def test_manager_rows_carry_the_team_at_the_period_end(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    assert _rows(
        marts,
        "select count(*) from marts.kpi_manager_period where team_id is null",
    ) == [(0,)]


def test_summary_reports_the_latest_full_month(
    built: tuple[Settings, DbtOutcome],
    capsys: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings, _ = built
    caplog.set_level("INFO")
    assert salesdw(["summary", "--database", str(settings.warehouse_path)]) == 0
    assert "Latest full month: 2025-02" in caplog.text
    assert "Top managers by revenue" in caplog.text
    assert "Top managers by plan attainment" in caplog.text


def test_summary_without_a_warehouse_fails_clearly(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    assert salesdw(["summary", "--database", str(tmp_path / "missing.duckdb")]) == 1
    assert "run `salesdw run` first" in caplog.text


@pytest.mark.parametrize("entity", ["manager", "team", "channel"])
def test_period_end_states_of_all_entities_sum_to_the_company(
    marts: duckdb.DuckDBPyConnection, entity: str
) -> None:
    """Open pipeline and overdue tasks at a period's end belong to somebody: a manager
    who left with overdue tasks keeps rows until the data ends."""
    for code in ("pipeline_amount", "overdue_tasks"):
        differences = _rows(
            marts,
            f"""
            with entity_sums as (
                select period_grain, period_start, sum({code}) as value
                from marts.kpi_{entity}_period group by 1, 2
            )
            select company.period_grain, company.period_start, company.{code},
                entity_sums.value
            from marts.kpi_company_period as company
            left join entity_sums using (period_grain, period_start)
            where company.{code} != coalesce(entity_sums.value, 0)
            """,
        )
        assert differences == [], (entity, code, differences[:3])


def test_money_ratios_round_half_away_from_zero_to_the_kopeck(
    marts: duckdb.DuckDBPyConnection,
) -> None:
    """DuckDB divides decimals in DOUBLE; the marts must not inherit its rounding."""
    rows = _rows(
        marts,
        "select bookings, deals_won, avg_deal_size from marts.kpi_manager_period"
        " where deals_won > 0",
    )
    assert rows
    for bookings, deals_won, avg_deal_size in rows:
        exact = (bookings / deals_won).quantize(avg_deal_size, rounding="ROUND_HALF_UP")
        assert avg_deal_size == exact, (bookings, deals_won)
