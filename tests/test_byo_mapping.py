"""Mapping files and exports without the pipeline: the schema, the loader's line numbers,
the check's errors (they name the mapping line and the offending value), the readers,
the import's output and coverage."""

from __future__ import annotations

import json
import logging
import textwrap
from pathlib import Path

import duckdb
import jsonschema
import openpyxl
import pytest
import yaml

from orchestration.byo.check import check
from orchestration.byo.coverage import kpi_coverage
from orchestration.byo.importer import IMPORTS_FOLDER, import_export
from orchestration.byo.mapping import SCHEMA_PATH, MappingError, load_mapping
from orchestration.cli import EXIT_BAD_INPUT, EXIT_OK, main
from orchestration.settings import PROJECT_ROOT, Settings

SHIPPED = sorted((PROJECT_ROOT / "mappings").glob("*/mapping.yml"))
SETTINGS = Settings()

DEALS_CSV = """\
Deal,Owner,Stage,Amount,Created,Closed
D1,Ann Lee,Won,"1 200,50",03/01/2025,3/15/2025
D2,Ann Lee,Lost,800,03/02/2025,3/20/2025
D3,Bo Chan,Open,500,3/5/2025,
"""

# Line numbers matter: tests below point at them.
MAPPING = """\
name: tiny
defaults:
  currency: RUB
  is_competitive: false
  channel_code: active
files:
  - path: deals.csv
    decimal: ","
    date_format: M/D/YYYY
    tables:
      crm/deals:
        columns:
          deal_id: Deal
          client_id: {value: C1}
          manager_id: {id_from: Owner, prefix: "M-"}
          created_at: Created
          stage_code: {column: Stage, map: {Won: won, Lost: lost, Open: lead}}
          status: {column: Stage, map: {Won: won, Lost: lost, Open: open}}
          amount: Amount
          closed_at: Closed
          updated_at: Created
      crm/managers:
        one_row_per_key: true
        columns:
          manager_id: {id_from: Owner, prefix: "M-"}
          full_name: Owner
          email: {value: "-"}
          team_id: {value: sales}
          role: {value: manager}
          hired_on: {value: "2020-01-01"}
          date_format: ISO
"""


def _export(tmp_path: Path, mapping: str = MAPPING, deals: str = DEALS_CSV) -> tuple[Path, Path]:
    mapping_path = tmp_path / "mapping.yml"
    mapping_path.write_text(mapping, encoding="utf-8")
    export = tmp_path / "export"
    export.mkdir(exist_ok=True)
    (export / "deals.csv").write_text(deals, encoding="utf-8")
    return mapping_path, export


def _valid_mapping() -> str:
    """MAPPING with the managers' updated_at mapped (the base deliberately lacks it)."""
    return MAPPING.replace("          date_format: ISO\n", "          updated_at: Created\n")


def _errors(tmp_path: Path, mapping: str, deals: str = DEALS_CSV) -> list[str]:
    mapping_path, export = _export(tmp_path, mapping, deals)
    loaded = load_mapping(mapping_path)
    return [p.render(loaded) for p in check(loaded, export, SETTINGS) if p.is_error]


# --- the schema and the loader --------------------------------------------------------


@pytest.mark.parametrize("path", SHIPPED, ids=[path.parent.name for path in SHIPPED])
def test_shipped_mappings_follow_the_json_schema(path: Path) -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(yaml.safe_load(path.read_text(encoding="utf-8")), schema)


def test_there_is_a_shipped_mapping_per_crm() -> None:
    assert {path.parent.name for path in SHIPPED} >= {"salesforce", "hubspot", "amocrm", "bitrix24"}


def test_a_misspelt_key_names_its_line(tmp_path: Path) -> None:
    mapping_path, _ = _export(tmp_path, MAPPING.replace("    tables:", "    tabels:"))

    with pytest.raises(MappingError) as raised:
        load_mapping(mapping_path)

    assert f"{mapping_path}:10:" in str(raised.value)
    assert "tabels" in str(raised.value)


def test_an_unknown_contract_column_names_its_line_and_a_likely_one(tmp_path: Path) -> None:
    mapping_path, _ = _export(tmp_path, MAPPING.replace("closed_at: Closed", "close_at: Closed"))

    with pytest.raises(MappingError, match=rf"{mapping_path}:20: 'close_at' .*closed_at"):
        load_mapping(mapping_path)


def test_a_key_the_schema_does_not_know_names_its_line(tmp_path: Path) -> None:
    # `date_format` sits under a table instead of under a column or the file.
    mapping_path, _ = _export(tmp_path)

    with pytest.raises(MappingError, match=rf"{mapping_path}:31: .date_format. is not a column"):
        load_mapping(mapping_path)


def test_broken_yaml_names_its_line(tmp_path: Path) -> None:
    mapping_path, _ = _export(tmp_path, _valid_mapping().replace("deal_id: Deal", "deal_id: [Deal"))

    with pytest.raises(MappingError, match=rf"{mapping_path}:\d+: not valid YAML"):
        load_mapping(mapping_path)


# --- the check: bad exports and mappings that do not fit them ---------------------------


def test_a_fitting_export_has_no_errors(tmp_path: Path) -> None:
    assert _errors(tmp_path, _valid_mapping()) == []


def test_a_status_outside_the_map_names_the_line_and_the_value(tmp_path: Path) -> None:
    deals = DEALS_CSV + "D4,Bo Chan,Pending,100,3/6/2025,\n"

    errors = _errors(tmp_path, _valid_mapping(), deals)

    assert any(":18: error: crm/deals.status: 'Pending'" in e for e in errors), errors
    assert any("is not one of open, won, lost" in e for e in errors), errors


def test_a_date_in_another_format_names_the_line_and_the_value(tmp_path: Path) -> None:
    deals = DEALS_CSV + "D5,Bo Chan,Open,100,2025-03-07,\n"

    errors = _errors(tmp_path, _valid_mapping(), deals)

    assert any(
        ":16: error: crm/deals.created_at: cannot read '2025-03-07'" in e
        and "date_format 'M/D/YYYY'" in e
        for e in errors
    ), errors


def test_a_number_that_does_not_parse_names_the_line_and_the_value(tmp_path: Path) -> None:
    deals = DEALS_CSV + "D6,Bo Chan,Open,n/a,3/6/2025,\n"

    errors = _errors(tmp_path, _valid_mapping(), deals)

    assert any(":19: error: crm/deals.amount: cannot read 'n/a'" in e for e in errors), errors


def test_a_column_the_export_lacks_names_the_line_and_a_likely_one(tmp_path: Path) -> None:
    errors = _errors(tmp_path, _valid_mapping().replace("amount: Amount", "amount: Amout"))

    assert any(":19: error:" in e and "'Amout'" in e and "'Amount'" in e for e in errors), errors


def test_an_unmapped_required_column_names_the_table_line(tmp_path: Path) -> None:
    errors = _errors(tmp_path, MAPPING.replace("          date_format: ISO\n", ""))

    assert any(":22: error: crm/managers.updated_at is required" in e for e in errors), errors


def test_a_missing_file_names_the_line_of_its_path(tmp_path: Path) -> None:
    errors = _errors(tmp_path, _valid_mapping().replace("path: deals.csv", "path: opps.csv"))

    assert any(":7: error: no file in" in e and "'opps.csv'" in e for e in errors), errors


def test_a_broken_expression_names_its_line(tmp_path: Path) -> None:
    mapping = _valid_mapping().replace("amount: Amount", 'amount: {expression: "\\"Amount\\" +"}')

    errors = _errors(tmp_path, mapping)

    assert any(":19: error: expression" in e for e in errors), errors


def test_deals_without_managers_are_refused(tmp_path: Path) -> None:
    mapping = _valid_mapping()
    mapping = mapping[: mapping.index("      crm/managers:")]

    errors = _errors(tmp_path, mapping)

    assert any(":11: error: crm/deals names managers" in e for e in errors), errors


def test_an_assumption_without_its_source_table_names_its_line(tmp_path: Path) -> None:
    mapping = _valid_mapping().replace(
        "files:", "assumptions:\n  invoices_paid_in_full_on_issue: true\nfiles:"
    )

    errors = _errors(tmp_path, mapping)

    assert any(
        ":7: error: invoices_paid_in_full_on_issue needs finance/invoices" in e for e in errors
    )


def test_a_windows_1251_file_read_as_utf8_is_a_clear_error(tmp_path: Path) -> None:
    mapping_path, export = _export(tmp_path, _valid_mapping())
    (export / "deals.csv").write_bytes(DEALS_CSV.replace("Ann Lee", "Анна").encode("cp1251"))
    loaded = load_mapping(mapping_path)

    errors = [p.render(loaded) for p in check(loaded, export, SETTINGS)]

    assert any(":7: error: deals.csv cannot be read as csv" in e for e in errors), errors


# --- the import's output ----------------------------------------------------------------


def test_import_writes_typed_contract_files_and_a_record(tmp_path: Path) -> None:
    mapping_path, export = _export(tmp_path, _valid_mapping())
    landing = tmp_path / "landing"

    report = import_export(load_mapping(mapping_path), export, landing, SETTINGS)

    assert report.errors == []
    deals = landing / "crm" / "deals" / "tiny__deals.parquet"
    with duckdb.connect() as connection:
        rows = connection.execute(
            f"select deal_id, manager_id, amount, status, closed_at from '{deals}' order by 1"
        ).fetchall()
        managers = connection.execute(
            f"select manager_id, full_name from '{landing}/crm/managers/tiny__deals.parquet'"
        ).fetchall()
    assert [row[0] for row in rows] == ["D1", "D2", "D3"]
    assert str(rows[0][2]) == "1200.50"  # "1 200,50"
    assert [row[3] for row in rows] == ["won", "lost", "open"]
    assert str(rows[0][4]) == "2025-03-15 00:00:00"  # M/D/YYYY
    assert rows[0][1] == rows[1][1] != rows[2][1]  # the same name, the same id
    assert sorted(name for _, name in managers) == ["Ann Lee", "Bo Chan"]
    record = json.loads((landing / IMPORTS_FOLDER / "tiny.json").read_text(encoding="utf-8"))
    assert {entry["table"] for entry in record["files"]} == {"crm/deals", "crm/managers"}
    assert not list(landing.rglob(".*.partial"))


def test_import_writes_nothing_when_the_check_fails(tmp_path: Path) -> None:
    mapping_path, export = _export(
        tmp_path, _valid_mapping(), DEALS_CSV + "D4,X,Pending,1,3/6/2025,\n"
    )
    landing = tmp_path / "landing"

    report = import_export(load_mapping(mapping_path), export, landing, SETTINGS)

    assert report.errors
    assert not landing.exists()


def test_assumptions_are_off_unless_turned_on_and_recorded_when_on(tmp_path: Path) -> None:
    mapping = _valid_mapping().replace(
        "files:",
        "assumptions:\n  won_deals_invoiced_on_close: true\n"
        "  invoices_paid_in_full_on_issue: true\nfiles:",
    )
    mapping_path, export = _export(tmp_path, mapping)
    landing = tmp_path / "landing"

    import_export(load_mapping(mapping_path), export, landing, SETTINGS)

    with duckdb.connect() as connection:
        payments = connection.execute(
            f"select payment_id, amount, paid_at from '{landing}/finance/payments/*.parquet'"
        ).fetchall()
    assert [(p[0], str(p[1])) for p in payments] == [("payment-of-invoice-of-D1", "1200.50")]
    record = json.loads((landing / IMPORTS_FOLDER / "tiny.json").read_text(encoding="utf-8"))
    assert [a["name"] for a in record["assumptions"]] == [
        "won_deals_invoiced_on_close",
        "invoices_paid_in_full_on_issue",
    ]
    assert "paid in full on its issue date" in record["assumptions"][1]["means"]


def test_excel_and_parquet_exports_read_like_csv(tmp_path: Path) -> None:
    _, export = _export(tmp_path, _valid_mapping())
    rows = [line.split(",") for line in DEALS_CSV.replace('"1 200,50"', "1200.5").splitlines()]
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(export / "deals.xlsx")
    with duckdb.connect() as connection:
        connection.execute(
            f"copy (select * from read_csv('{export / 'deals.csv'}', all_varchar = true))"
            f" to '{export / 'deals.parquet'}' (format parquet)"
        ).fetchall()
    for name in ("deals.xlsx", "deals.parquet"):
        mapping = _valid_mapping().replace("path: deals.csv", f"path: {name}")
        loaded = load_mapping(_export(tmp_path, mapping)[0])
        assert [p for p in check(loaded, export, SETTINGS) if p.is_error] == [], name


# --- coverage -----------------------------------------------------------------------------


def test_coverage_of_a_deals_only_mapping(tmp_path: Path) -> None:
    coverage = {
        c.kpi.code: c for c in kpi_coverage(load_mapping(_export(tmp_path, _valid_mapping())[0]))
    }

    for code in ("bookings", "deals_won", "win_rate_pct", "avg_deal_size", "sales_cycle_days"):
        assert coverage[code].computable, code
    assert coverage["revenue"].missing == ("no finance/payments",)
    assert coverage["lost_deals_manager_fault"].missing == (
        "crm/deals.lost_reason_code is not mapped",
    )


def test_coverage_names_the_assumptions_a_kpi_rests_on() -> None:
    coverage = {
        c.kpi.code: c
        for c in kpi_coverage(load_mapping(PROJECT_ROOT / "mappings/bitrix24/mapping.yml"))
    }

    assert coverage["revenue"].computable
    assert coverage["revenue"].assumptions == (
        "won_deals_invoiced_on_close",
        "invoices_paid_in_full_on_issue",
    )
    assert not coverage["gross_profit"].computable


# --- the command line -----------------------------------------------------------------------


def test_cli_check_exits_with_bad_input_and_logs_the_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    mapping_path, export = _export(
        tmp_path, _valid_mapping(), DEALS_CSV + "D4,X,Pending,1,3/6/2025,\n"
    )

    with caplog.at_level(logging.ERROR):
        code = main(["import", "--check", "--mapping", str(mapping_path), "--input", str(export)])

    assert code == EXIT_BAD_INPUT
    assert f"{mapping_path}:18: error: crm/deals.status: 'Pending'" in caplog.text


def test_cli_import_then_coverage(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    mapping_path, export = _export(tmp_path, _valid_mapping())
    monkeypatch.setenv("SALESDW_LANDING_DIR", str(tmp_path / "landing"))

    with caplog.at_level(logging.INFO):
        assert (
            main(
                [
                    "--reporting-currency",
                    "usd",
                    "import",
                    "--mapping",
                    str(mapping_path),
                    "--input",
                    str(export),
                ]
            )
            == EXIT_OK
        )
        assert main(["coverage", "--mapping", str(mapping_path)]) == EXIT_OK

    assert (tmp_path / "landing" / "crm" / "deals" / "tiny__deals.parquet").is_file()
    env = (tmp_path / "landing" / IMPORTS_FOLDER / "tiny.env").read_text(encoding="utf-8")
    assert "export SALESDW_REPORTING_CURRENCY=USD" in env
    assert "- revenue" in caplog.text
    assert "no finance/payments" in caplog.text


def test_cli_settings_flags_beat_the_mapping_and_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SALESDW_REPORTING_TIME_ZONE", "Asia/Almaty")
    mapping = _valid_mapping().replace(
        "defaults:", "settings:\n  fiscal_year_start_month: 4\ndefaults:"
    )
    mapping_path, export = _export(tmp_path, mapping)
    landing = tmp_path / "landing"

    arguments = ["--fiscal-year-start-month", "2", "--reporting-currency", "EUR"]
    arguments += ["import", "--mapping", str(mapping_path), "--input", str(export)]
    assert main([*arguments, "--landing", str(landing)]) == EXIT_OK

    env = (landing / IMPORTS_FOLDER / "tiny.env").read_text(encoding="utf-8")
    assert textwrap.dedent(env) == (
        "export SALESDW_REPORTING_CURRENCY=EUR\n"
        "export SALESDW_REPORTING_TIME_ZONE=Asia/Almaty\n"
        "export SALESDW_FISCAL_YEAR_START_MONTH=2\n"
    )


def test_cli_refuses_a_fiscal_month_outside_1_to_12() -> None:
    with pytest.raises(SystemExit):
        main(["--fiscal-year-start-month", "13", "coverage", "--mapping", "x.yml"])


def test_a_currency_without_rates_is_a_warning_not_an_error(tmp_path: Path) -> None:
    mapping = _valid_mapping().replace(
        "amount: Amount", "amount: Amount\n          currency: {value: usd}"
    )
    mapping_path, export = _export(tmp_path, mapping)
    loaded = load_mapping(mapping_path)

    problems = check(loaded, export, SETTINGS)

    assert [p for p in problems if p.is_error] == []
    warnings = [p.render(loaded) for p in problems]
    assert any(":20: warning: crm/deals.currency: 'usd'" in w and "fx_rates" in w for w in warnings)
