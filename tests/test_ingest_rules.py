"""Row- and file-level contract rules of the ingestion, on small hand-made extracts."""

from __future__ import annotations

import json
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from orchestration.raw import ingest as ingest_module
from orchestration.raw.ingest import FileStatus, ingest
from orchestration.settings import Settings

DEAL_HEADER = (
    "deal_id,lead_id,client_id,manager_id,channel_code,created_at,stage_code,status,"
    "amount,currency,closed_at,lost_reason_code,is_competitive,updated_at"
)
GOOD_DEAL = (
    "D1,,C1,M1,active,2024-01-02T10:00:00,won,won,100.50,USD,"
    "2024-01-03T10:00:00,,true,2024-01-03T10:00:00"
)


def _write_parquet(landing: Path, table: str, name: str, columns: dict[str, pa.Array]) -> Path:
    folder = landing / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    pq.write_table(pa.table(columns), path, compression="zstd")
    return path


def _write_csv(landing: Path, table: str, name: str, lines: list[str]) -> Path:
    folder = landing / table
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    landing = tmp_path / "landing"
    _write_parquet(
        landing,
        "finance/fx_rates",
        "fx_2024-01.parquet",
        {
            "rate_date": pa.array([date(2024, 1, 1)]),
            "currency": pa.array(["USD"]),
            "rate_to_base": pa.array([Decimal("90.12345678")], pa.decimal128(18, 8)),
        },
    )
    _write_parquet(
        landing,
        "crm/managers",
        "managers_2024-01.parquet",
        {
            "manager_id": pa.array(["M1", "M2"]),
            "full_name": pa.array(["Anna Ivanova", "Boris Petrov"]),
            "email": pa.array(["anna@example.com", "boris@example.com"]),
            "team_id": pa.array(["T1", "T1"]),
            "role": pa.array(["manager", "head"]),
            "hired_on": pa.array([date(2023, 1, 9)] * 2),
            "fired_on": pa.array([None, None], pa.date32()),
            "updated_at": pa.array([datetime(2024, 1, 1)] * 2, pa.timestamp("us")),
        },
    )
    return Settings(landing_dir=landing, warehouse_path=tmp_path / "warehouse.duckdb")


def _query(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as connection:
        return connection.execute(sql).fetchall()


def _reasons(settings: Settings) -> dict[int, str]:
    return dict(_query(settings, "select row_number, reason from raw.rejects"))


@pytest.mark.parametrize(
    ("row", "code", "detail"),
    [
        (GOOD_DEAL.replace("D1,", ",", 1), "missing_value", "deal_id is empty"),
        (GOOD_DEAL.replace(",M1,", ",M404,"), "unknown_reference", "manager_id 'M404'"),
        (GOOD_DEAL.replace(",active,", ",tv,"), "bad_enum", "channel_code 'tv'"),
        (GOOD_DEAL.replace(",won,won,", ",won,pending,"), "bad_enum", "status 'pending'"),
        (GOOD_DEAL.replace(",won,won,", ",paid,won,"), "bad_enum", "stage_code 'paid'"),
        (GOOD_DEAL.replace("100.50", "-100.50"), "negative_amount", "amount '-100.50'"),
        (GOOD_DEAL.replace(",USD,", ",GBP,"), "no_fx_rate", "currency 'GBP'"),
        (
            GOOD_DEAL.replace("2024-01-02T10:00:00", "31.02.2024 25:61"),
            "unparseable",
            "created_at '31.02.2024 25:61' is not a valid timestamp",
        ),
        (GOOD_DEAL.replace(",true,", ",maybe,"), "unparseable", "is_competitive 'maybe'"),
        (GOOD_DEAL.replace("100.50", '"1 000,50"'), "unparseable", "amount '1 000,50'"),
    ],
)
def test_a_bad_row_is_rejected_with_its_reason_and_the_rest_loads(
    settings: Settings, row: str, code: str, detail: str
) -> None:
    _write_csv(
        settings.landing_dir,
        "crm/deals",
        "deals.csv",
        [DEAL_HEADER, GOOD_DEAL.replace("D1", "D0"), row],
    )

    report = ingest(settings)

    deals = next(f for f in report.files if f.table == "crm/deals")
    assert (deals.rows_read, deals.rows_loaded, deals.rows_rejected) == (2, 1, 1)
    reason = _reasons(settings)[2]
    assert reason.startswith(f"{code}: ")
    assert detail in reason
    assert _query(settings, "select deal_id from raw.crm__deals") == [("D0",)]


def test_rejected_row_is_kept_whole_as_json_with_every_reason(settings: Settings) -> None:
    bad = GOOD_DEAL.replace(",M1,", ",M404,").replace(",USD,", ",GBP,") + ",surplus"
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER + ",extra", bad])

    ingest(settings)

    [(row_json, reason, source_file)] = _query(
        settings, "select row_json, reason, source_file from raw.rejects"
    )
    row = json.loads(row_json)
    assert row["manager_id"] == "M404"
    assert row["extra"] == "surplus"
    assert "_row_number" not in row
    assert reason.split("; ")[0].startswith("unknown_reference")
    assert any(part.startswith("no_fx_rate") for part in reason.split("; "))
    assert source_file == "crm/deals/deals.csv"


def test_duplicate_keys_in_one_file_keep_the_first_row(settings: Settings) -> None:
    newer = GOOD_DEAL.replace("2024-01-03T10:00:00", "2024-01-04T10:00:00")
    _write_csv(
        settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, GOOD_DEAL, newer, GOOD_DEAL]
    )

    ingest(settings)

    # Two versions of D1 with different updated_at are history; the same version twice is not.
    assert _query(settings, "select count(*) from raw.crm__deals") == [(2,)]
    reasons = _reasons(settings)
    assert list(reasons) == [3]
    assert reasons[3].startswith("duplicate_key: deal_id='D1' and updated_at=")
    assert "already appears at row 1" in reasons[3]


def test_values_are_typed_and_timestamps_with_an_offset_become_utc(settings: Settings) -> None:
    row = GOOD_DEAL.replace("2024-01-03T10:00:00,,true", "2024-01-03T02:30:00+03:00,,TRUE")
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, row])

    ingest(settings)

    [(closed_at, amount, competitive, deleted, row_number)] = _query(
        settings,
        "select closed_at, amount, is_competitive, is_deleted, _row_number from raw.crm__deals",
    )
    assert closed_at == datetime(2024, 1, 2, 23, 30)
    assert amount == Decimal("100.50")
    assert competitive is True
    assert deleted is False
    assert row_number == 1


def test_is_deleted_is_optional_and_read_when_present(settings: Settings) -> None:
    _write_csv(
        settings.landing_dir,
        "crm/deals",
        "deals.csv",
        [DEAL_HEADER + ",is_deleted", GOOD_DEAL + ",true", GOOD_DEAL.replace("D1", "D2") + ","],
    )

    ingest(settings)

    assert _query(settings, "select deal_id, is_deleted from raw.crm__deals order by 1") == [
        ("D1", True),
        ("D2", False),
    ]


def test_unreadable_and_incomplete_files_are_refused_whole(settings: Settings) -> None:
    _write_csv(settings.landing_dir, "crm/deals", "deals_good.csv", [DEAL_HEADER, GOOD_DEAL])
    no_amount = DEAL_HEADER.replace("amount,", "")
    row_without_amount = GOOD_DEAL.replace("100.50,", "")
    _write_csv(
        settings.landing_dir, "crm/deals", "deals_no_amount.csv", [no_amount, row_without_amount]
    )
    truncated = settings.landing_dir / "crm/deals/deals_truncated.parquet"
    truncated.write_bytes(b"PAR1" + b"\0" * 64)
    ragged = [DEAL_HEADER, GOOD_DEAL.replace("D1", "D7"), "D8,,C1,M1"]
    _write_csv(settings.landing_dir, "crm/deals", "deals_ragged.csv", ragged)
    (settings.landing_dir / "crm/deals/deals.xlsx").write_bytes(b"PK\x03\x04")

    report = ingest(settings)

    errors = {f.relative_path: f.error for f in report.files if f.status is FileStatus.REFUSED}
    assert set(errors) == {
        "crm/deals/deals_no_amount.csv",
        "crm/deals/deals_truncated.parquet",
        "crm/deals/deals_ragged.csv",
        "crm/deals/deals.xlsx",
    }
    assert errors["crm/deals/deals_no_amount.csv"] == (
        "missing_column: crm/deals/deals_no_amount.csv lacks required column amount of crm/deals"
    )
    assert errors["crm/deals/deals_truncated.parquet"].startswith(
        "unreadable: crm/deals/deals_truncated.parquet cannot be read as PARQUET"
    )
    assert errors["crm/deals/deals_ragged.csv"].startswith("unreadable: crm/deals/deals_ragged.csv")
    assert errors["crm/deals/deals.xlsx"].startswith("unreadable: crm/deals/deals.xlsx")
    assert _query(settings, "select deal_id, _source_file from raw.crm__deals") == [
        ("D1", "crm/deals/deals_good.csv")
    ]
    assert _query(
        settings,
        "select count(*) from raw.ingest_ledger where status = 'refused' "
        "and rows_read = 0 and error is not null",
    ) == [(4,)]


def test_a_crash_half_way_leaves_no_partial_rows(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, GOOD_DEAL])

    def crash(*_: object) -> None:
        raise RuntimeError("power cut after the rows were inserted")

    monkeypatch.setattr(ingest_module, "_record", crash)
    with pytest.raises(RuntimeError, match="power cut"):
        ingest(settings)
    monkeypatch.undo()

    assert _query(settings, "select count(*) from raw.crm__deals") == [(0,)]
    assert _query(
        settings, "select count(*) from raw.ingest_ledger where path like 'crm/deals%'"
    ) == [(0,)]
    report = ingest(settings)
    assert [f.status for f in report.files if f.table == "crm/deals"] == [FileStatus.LOADED]
    assert _query(settings, "select count(*) from raw.crm__deals") == [(1,)]


def test_a_reference_loaded_in_the_same_run_resolves(settings: Settings) -> None:
    # Rates load before money and managers before the rows naming them, whatever the
    # order the folders are listed in.
    _write_csv(
        settings.landing_dir,
        "crm/deals",
        "deals.csv",
        [DEAL_HEADER, GOOD_DEAL.replace(",M1,", ",M3,")],
    )
    _write_parquet(
        settings.landing_dir,
        "crm/managers",
        "managers_2024-02.parquet",
        {
            "manager_id": pa.array(["M3"]),
            "full_name": pa.array(["Vera Sidorova"]),
            "email": pa.array(["vera@example.com"]),
            "team_id": pa.array(["T1"]),
            "role": pa.array(["manager"]),
            "hired_on": pa.array([date(2024, 2, 1)]),
            "fired_on": pa.array([None], pa.date32()),
            "updated_at": pa.array([datetime(2024, 2, 1)], pa.timestamp("us")),
        },
    )

    report = ingest(settings)

    assert report.rows_rejected == 0
    assert _query(settings, "select manager_id from raw.crm__deals") == [("M3",)]


def test_the_reporting_currency_needs_no_rate(settings: Settings) -> None:
    _write_csv(
        settings.landing_dir,
        "crm/deals",
        "deals.csv",
        [DEAL_HEADER, GOOD_DEAL.replace(",USD,", ",rub,")],
    )

    assert ingest(settings).rows_rejected == 0


def _fx_extract(currency: str, days: int = 20_000) -> dict[str, pa.Array]:
    dates = pa.array(range(days), pa.int32()).cast(pa.date32())
    return {
        "rate_date": dates,
        "currency": pa.array([currency] * days),
        "rate_to_base": pa.array([Decimal("1.5")] * days, pa.decimal128(18, 8)),
    }


def _damage(path: Path, start: int, length: int = 2000) -> None:
    data = bytearray(path.read_bytes())
    data[start : start + length] = bytes(length)
    path.write_bytes(bytes(data))


def test_a_corrupt_page_refuses_only_its_file_of_a_batch(settings: Settings) -> None:
    folder = "finance/fx_rates"
    for name, currency in [("a.parquet", "CNY"), ("b.parquet", "TRY"), ("c.parquet", "AED")]:
        _write_parquet(settings.landing_dir, folder, name, _fx_extract(currency))
    d = _write_parquet(settings.landing_dir, folder, "d.parquet", _fx_extract("INR"))
    b = settings.landing_dir / folder / "b.parquet"
    _damage(b, start=8)  # the first page header: not a valid header any more
    _damage(d, start=50)  # the first compressed page: decompression fails
    with duckdb.connect() as connection:  # the footers are intact: only reading pages fails
        for damaged in (b, d):
            connection.execute(f"describe select * from read_parquet('{damaged}')")

    report = ingest(settings)

    by_path = {r.relative_path: r for r in report.files if r.table == folder}
    assert by_path[f"{folder}/a.parquet"].rows_loaded == 20_000
    assert by_path[f"{folder}/c.parquet"].rows_loaded == 20_000
    for damaged in ("b.parquet", "d.parquet"):
        result = by_path[f"{folder}/{damaged}"]
        assert result.status is FileStatus.REFUSED
        assert result.error.startswith(f"unreadable: {folder}/{damaged} cannot be read as PARQUET")
    assert _query(
        settings, "select currency, count(*) from raw.finance__fx_rates group by 1 order by 1"
    ) == [("AED", 20_000), ("CNY", 20_000), ("USD", 1)]


def test_a_batch_of_files_with_different_columns_keeps_each_file_its_own(
    settings: Settings,
) -> None:
    def deals(**extra: pa.Array) -> dict[str, pa.Array]:
        row = dict(zip(DEAL_HEADER.split(","), GOOD_DEAL.split(","), strict=True))
        columns = {name: pa.array([value or None], pa.string()) for name, value in row.items()}
        return {**columns, **extra}

    first = deals(is_deleted=pa.array([True]), note=pa.array(["from the old CRM"]))
    second = deals()
    second["manager_id"] = pa.array(["M404"])
    _write_parquet(settings.landing_dir, "crm/deals", "deals_1.parquet", first)
    _write_parquet(settings.landing_dir, "crm/deals", "deals_2.parquet", second)

    report = ingest(settings)

    # The same key in two files is two versions, not a duplicate.
    assert [r.rows_loaded for r in report.files if r.table == "crm/deals"] == [1, 0]
    assert _query(settings, "select _source_file, is_deleted from raw.crm__deals") == [
        ("crm/deals/deals_1.parquet", True)
    ]
    [(source_file, row_json)] = _query(settings, "select source_file, row_json from raw.rejects")
    assert source_file == "crm/deals/deals_2.parquet"
    assert set(json.loads(row_json)) == set(DEAL_HEADER.split(","))


TEAM_HEADER = "team_id,team_name,head_manager_id,updated_at"


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_name_with_glob_characters_is_read_as_itself(settings: Settings, suffix: str) -> None:
    for name, team in [(f"teams_1.{suffix}", "T1"), (f"teams_[1]*?.{suffix}", "T2")]:
        rows = [TEAM_HEADER, f"{team},Team {team},,2024-01-01T00:00:00"]
        if suffix == "csv":
            _write_csv(settings.landing_dir, "crm/teams", name, rows)
        else:
            columns = dict(zip(rows[0].split(","), rows[1].split(","), strict=True))
            _write_parquet(
                settings.landing_dir,
                "crm/teams",
                name,
                {key: pa.array([value or None], pa.string()) for key, value in columns.items()},
            )

    ingest(settings)

    assert _query(settings, "select _source_file, team_id from raw.crm__teams order by 1") == [
        (f"crm/teams/teams_1.{suffix}", "T1"),
        (f"crm/teams/teams_[1]*?.{suffix}", "T2"),
    ]


def test_extra_columns_named_like_lineage_are_ignored(settings: Settings) -> None:
    header = DEAL_HEADER + ",_file_id,_row_number,_source_file"
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [header, GOOD_DEAL + ",77,5,x"])
    reserved = DEAL_HEADER + ",file_row_number"
    _write_csv(settings.landing_dir, "crm/deals", "deals_x.csv", [reserved, GOOD_DEAL + ",1"])

    report = ingest(settings)

    by_path = {r.relative_path: r for r in report.files}
    deals, reserving = by_path["crm/deals/deals.csv"], by_path["crm/deals/deals_x.csv"]
    assert (deals.rows_read, deals.rows_loaded) == (1, 1)
    assert reserving.error == (
        "unreadable: crm/deals/deals_x.csv has a column named file_row_number, "
        "a name the loader reserves for its own use"
    )
    [(file_id, row_number, source_file)] = _query(
        settings, "select _file_id, _row_number, _source_file from raw.crm__deals"
    )
    assert (row_number, source_file) == (1, "crm/deals/deals.csv")
    assert file_id != 77


def test_an_error_that_is_not_the_files_fault_stops_the_run_and_refuses_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, GOOD_DEAL])

    def disk_full(*_: object) -> None:
        raise duckdb.IOException("No space left on device")

    monkeypatch.setattr(ingest_module, "_store_rows", disk_full)
    with pytest.raises(duckdb.IOException):
        ingest(settings)
    monkeypatch.undo()

    assert _query(settings, "select count(*) from raw.ingest_ledger where status = 'refused'") == [
        (0,)
    ]
    deals = [r for r in ingest(settings).files if r.table == "crm/deals"]
    assert [(r.status, r.rows_loaded) for r in deals] == [(FileStatus.LOADED, 1)]


def test_a_duplicate_of_a_rejected_row_is_the_first_good_version(settings: Settings) -> None:
    bad_first = GOOD_DEAL.replace(",active,", ",tv,")
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, bad_first, GOOD_DEAL])

    ingest(settings)

    assert _query(settings, "select _row_number from raw.crm__deals") == [(2,)]
    assert list(_reasons(settings)) == [1]


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("amount", "10.555", "amount '10.555' has more than 2 decimal places"),
        ("is_competitive", "true", None),
        ("amount", "10.50", None),
        ("amount", "1e2", None),
    ],
)
def test_a_number_is_never_rounded_into_its_type(
    settings: Settings, column: str, value: str, message: str | None
) -> None:
    columns = DEAL_HEADER.split(",")
    row = GOOD_DEAL.split(",")
    row[columns.index(column)] = value
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, ",".join(row)])

    ingest(settings)

    reasons = _reasons(settings)
    if message is None:
        assert reasons == {}
    else:
        assert reasons[1] == f"unparseable: {message}"


def test_a_score_with_a_fraction_is_rejected_not_rounded(settings: Settings) -> None:
    header = "survey_id,client_id,deal_id,manager_id,responded_at,nps_score,csat_score"
    rows = ["S1,C1,,M1,2024-01-05T10:00:00,7.6,", "S2,C1,,M1,2024-01-05T10:00:00,9,4.0"]
    _write_csv(settings.landing_dir, "crm/surveys", "surveys.csv", [header, *rows])

    ingest(settings)

    assert _reasons(settings) == {1: "unparseable: nps_score '7.6' is not a whole number"}
    assert _query(settings, "select survey_id, nps_score, csat_score from raw.crm__surveys") == [
        ("S2", 9, 4)
    ]


def test_files_in_hidden_or_staging_folders_are_not_extracts(settings: Settings) -> None:
    for folder in (".upload", "_staging", ""):
        _write_csv(
            settings.landing_dir,
            f"crm/deals/{folder}".rstrip("/"),
            "deals.csv",
            [DEAL_HEADER, GOOD_DEAL],
        )

    report = ingest(settings)

    assert [r.relative_path for r in report.files if r.table == "crm/deals"] == [
        "crm/deals/deals.csv"
    ]


def test_an_amount_dated_before_its_currencys_first_rate_has_no_rate(settings: Settings) -> None:
    early = GOOD_DEAL.replace("2024-01-02T10:00:00", "2023-12-30T10:00:00")
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, GOOD_DEAL, early])

    ingest(settings)

    assert _reasons(settings) == {
        2: "no_fx_rate: currency 'USD' has no rate on or before 2023-12-30 in finance/fx_rates"
    }


def _payments(amount: pa.Array) -> dict[str, pa.Array]:
    count = len(amount)
    return {
        "payment_id": pa.array([f"P{i}" for i in range(count)]),
        "invoice_id": pa.array(["I1"] * count),
        "paid_at": pa.array([datetime(2024, 1, 5, 10)] * count, pa.timestamp("us")),
        "amount": amount,
        "currency": pa.array(["RUB"] * count),
    }


def test_floating_point_amounts_are_read_as_written(settings: Settings) -> None:
    amounts = [1234567.89, 123456789012.34, 19.99, 0.1 + 0.2, -5.5, float("nan"), 7.125]
    _write_parquet(
        settings.landing_dir, "finance/payments", "p.parquet", _payments(pa.array(amounts))
    )

    ingest(settings)

    assert _query(settings, "select amount from raw.finance__payments order by _row_number") == [
        (Decimal("1234567.89"),),
        (Decimal("123456789012.34"),),
        (Decimal("19.99"),),
        (Decimal("0.30"),),
        (Decimal("-5.50"),),
    ]
    assert _reasons(settings) == {
        6: "unparseable: amount 'nan' is not a valid decimal number",
        7: "unparseable: amount '7.125' has more than 2 decimal places",
    }


def test_files_with_different_column_types_are_not_read_as_one(settings: Settings) -> None:
    largest = Decimal("9999999999999999.99")
    exact = _payments(pa.array([largest], pa.decimal128(18, 2)))
    floating = _payments(pa.array([1.25]))
    floating["payment_id"] = pa.array(["F0"])
    _write_parquet(settings.landing_dir, "finance/payments", "a_exact.parquet", exact)
    _write_parquet(settings.landing_dir, "finance/payments", "b_floating.parquet", floating)

    report = ingest(settings)

    assert report.rows_rejected == 0
    assert _query(settings, "select payment_id, amount from raw.finance__payments order by 1") == [
        ("F0", Decimal("1.25")),
        ("P0", largest),
    ]


def test_a_file_rewritten_while_it_loads_is_left_for_the_next_run(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [DEAL_HEADER, GOOD_DEAL])
    check_rows = ingest_module._check_rows

    def rewrite_after_reading(connection, to_load, codes) -> None:
        check_rows(connection, to_load, codes)
        if any(landing_file.path == path for landing_file in to_load.files):
            newer = GOOD_DEAL.replace("D1", "D2")
            path.write_text(f"{DEAL_HEADER}\n{GOOD_DEAL}\n{newer}\n", encoding="utf-8")

    monkeypatch.setattr(ingest_module, "_check_rows", rewrite_after_reading)
    first = ingest(settings)
    monkeypatch.undo()

    assert [r.status for r in first.files if r.table == "crm/deals"] == [FileStatus.CHANGED]
    assert _query(settings, "select count(*) from raw.crm__deals") == [(0,)]
    second = ingest(settings)
    assert [r.rows_loaded for r in second.files if r.table == "crm/deals"] == [2]
    assert ingest(settings).rows_loaded == 0


def test_a_csv_without_the_contracts_header_is_unreadable(settings: Settings) -> None:
    _write_csv(settings.landing_dir, "crm/deals", "deals.csv", [GOOD_DEAL, GOOD_DEAL])

    [deals] = [r for r in ingest(settings).files if r.table == "crm/deals"]

    assert deals.error.startswith("unreadable: crm/deals/deals.csv has no header row naming")


def test_a_backslash_beside_a_glob_character_is_refused_by_name(settings: Settings) -> None:
    _write_csv(settings.landing_dir, "crm/deals", "deals\\[1].csv", [DEAL_HEADER, GOOD_DEAL])

    [deals] = [r for r in ingest(settings).files if r.table == "crm/deals"]

    assert deals.status is FileStatus.REFUSED
    assert "has a backslash in a path with [, * or ?" in deals.error
