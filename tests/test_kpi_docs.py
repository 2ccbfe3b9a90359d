"""The KPI catalogue seed and the page generated from it, docs/kpis.md."""

from __future__ import annotations

import csv
import logging
import math
import re
import shutil
from pathlib import Path

import pytest
import yaml

from orchestration.kpi_docs import (
    AGGREGATIONS,
    CATALOGUE_CSV,
    CATEGORIES,
    DOC_BLOCKS,
    DOCS_PAGE,
    SCORECARD_CSV,
    UNITS,
    main,
    read_catalogue,
    render_dbt_doc_blocks,
    render_kpi_docs,
)
from orchestration.settings import PROJECT_ROOT

SEEDS_YML = PROJECT_ROOT / "seeds" / "_seeds.yml"
SNAKE_CASE = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")
SOURCE_PREFIX = re.compile(r"\d{3}")
UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _write_rows(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def _tampered_catalogue(tmp_path: Path, definition: str) -> Path:
    rows = _rows(CATALOGUE_CSV)
    rows[0]["definition"] = definition
    tampered = tmp_path / "kpi_catalogue.csv"
    _write_rows(tampered, rows)
    return tampered


# --- the page and its render -------------------------------------------------------


def test_committed_page_equals_the_render() -> None:
    rendered = render_kpi_docs(CATALOGUE_CSV, SCORECARD_CSV)

    assert DOCS_PAGE.read_text(encoding="utf-8") == rendered, (
        "docs/kpis.md differs from seeds/kpi_catalogue.csv and seeds/scorecard_targets.csv:"
        " run `python -m orchestration.kpi_docs` and commit the page"
    )


def test_check_passes_on_the_committed_page() -> None:
    assert main(["--check"]) == 0


def test_check_fails_when_the_catalogue_changes(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    committed = DOCS_PAGE.read_text(encoding="utf-8")
    tampered = _tampered_catalogue(tmp_path, "Something else entirely.")

    assert render_kpi_docs(tampered, SCORECARD_CSV) != committed
    with caplog.at_level(logging.ERROR):
        assert main(["--check", "--catalogue", str(tampered)]) == 1

    assert "docs/kpis.md" in caplog.text
    assert DOCS_PAGE.read_text(encoding="utf-8") == committed, "--check must write nothing"


def test_check_fails_when_the_scorecard_changes(tmp_path: Path) -> None:
    rows = _rows(SCORECARD_CSV)
    rows[0]["target"] = "99"
    tampered = tmp_path / "scorecard_targets.csv"
    _write_rows(tampered, rows)

    assert main(["--check", "--scorecard", str(tampered)]) == 1


def test_write_then_check(tmp_path: Path) -> None:
    page = tmp_path / "docs" / "kpis.md"
    blocks = tmp_path / "models" / "_kpi_definitions.md"
    paths = ["--output", str(page), "--doc-blocks", str(blocks)]

    assert main(["--check", *paths]) == 1, "a missing page is out of date"
    assert main(paths) == 0
    assert main(["--check", *paths]) == 0
    assert page.read_text(encoding="utf-8") == render_kpi_docs(CATALOGUE_CSV, SCORECARD_CSV)
    assert blocks.read_text(encoding="utf-8") == render_dbt_doc_blocks(CATALOGUE_CSV)


def test_committed_dbt_doc_blocks_equal_the_render() -> None:
    assert DOC_BLOCKS.read_text(encoding="utf-8") == render_dbt_doc_blocks(CATALOGUE_CSV), (
        "models/marts/kpi/_kpi_definitions.md differs from seeds/kpi_catalogue.csv:"
        " run `python -m orchestration.kpi_docs` and commit it"
    )


def test_every_kpi_has_a_doc_block_with_its_definition() -> None:
    blocks = DOC_BLOCKS.read_text(encoding="utf-8")
    for kpi in read_catalogue(CATALOGUE_CSV):
        assert f"{{% docs kpi_{kpi.code} %}}" in blocks
        assert kpi.definition in blocks


def test_check_names_stale_doc_blocks(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    blocks = tmp_path / "_kpi_definitions.md"
    blocks.write_text("{% docs kpi_revenue %}stale{% enddocs %}\n", encoding="utf-8")

    with caplog.at_level(logging.ERROR):
        assert main(["--check", "--doc-blocks", str(blocks)]) == 1
    assert "_kpi_definitions.md" in caplog.text


def test_every_kpi_has_one_row_in_its_category_section() -> None:
    page = render_kpi_docs(CATALOGUE_CSV, SCORECARD_CSV)
    sections = dict(re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", page, re.M | re.S))

    for row in _rows(CATALOGUE_CSV):
        section = sections[CATEGORIES[row["category"]]]
        assert section.count(f"| `{row['kpi_code']}` |") == 1, row["kpi_code"]
        assert page.count(f"| `{row['kpi_code']}` |") >= 1


def test_every_table_row_has_as_many_cells_as_its_header() -> None:
    page = render_kpi_docs(CATALOGUE_CSV, SCORECARD_CSV)
    width = 0
    for line in page.splitlines():
        if not line.startswith("|"):
            width = 0
            continue
        cells = len(UNESCAPED_PIPE.findall(line)) - 1
        width = width or cells
        assert cells == width, line


def test_pipes_in_a_cell_are_escaped(tmp_path: Path) -> None:
    tampered = _tampered_catalogue(tmp_path, "a | b, over\ntwo lines")

    page = render_kpi_docs(tampered, SCORECARD_CSV)

    assert "| a \\| b, over two lines |" in page


def test_render_is_deterministic() -> None:
    assert render_kpi_docs(CATALOGUE_CSV, SCORECARD_CSV) == render_kpi_docs(
        CATALOGUE_CSV, SCORECARD_CSV
    )


def test_a_malformed_catalogue_is_refused(tmp_path: Path) -> None:
    rows = _rows(CATALOGUE_CSV)
    rows[1]["category"] = "finance"
    broken = tmp_path / "kpi_catalogue.csv"
    _write_rows(broken, rows)

    with pytest.raises(ValueError, match=rows[1]["kpi_code"]):
        read_catalogue(broken)
    assert main(["--check", "--catalogue", str(broken)]) == 1


def test_a_scorecard_kpi_outside_the_catalogue_is_refused(tmp_path: Path) -> None:
    scorecard = tmp_path / "scorecard_targets.csv"
    shutil.copy(SCORECARD_CSV, scorecard)
    with scorecard.open("a", encoding="utf-8") as handle:
        handle.write("no_such_kpi,0,1,1\n")

    with pytest.raises(ValueError, match="no_such_kpi"):
        render_kpi_docs(CATALOGUE_CSV, scorecard)


# --- the catalogue seed's own rules ---------------------------------------------------


def test_kpi_codes_are_unique_lower_snake_case() -> None:
    codes = [row["kpi_code"] for row in _rows(CATALOGUE_CSV)]

    assert codes, "the catalogue is empty"
    assert len(codes) == len(set(codes)), "a kpi_code appears twice"
    assert [code for code in codes if not SNAKE_CASE.fullmatch(code)] == []


def test_every_kpi_is_fully_described() -> None:
    for row in _rows(CATALOGUE_CSV):
        code = row["kpi_code"]
        for column in ("name_en", "name_ru", "definition"):
            assert row[column].strip(), f"{code}: {column} is empty"
        assert row["name_en"] != row["name_ru"], f"{code}: the Russian name is the English one"
        assert row["category"] in CATEGORIES, code
        assert row["unit"] in UNITS, code
        assert row["aggregation"] in AGGREGATIONS, code
        assert row["higher_is_better"] in {"true", "false"}, code


def test_every_category_has_kpis() -> None:
    categories = {row["category"] for row in _rows(CATALOGUE_CSV)}

    assert categories == set(CATEGORIES)


def test_source_articles_are_sorted_three_digit_prefixes() -> None:
    for row in _rows(CATALOGUE_CSV):
        value = row["source_articles"]
        if not value:
            continue
        prefixes = value.split(";")
        assert all(SOURCE_PREFIX.fullmatch(prefix) for prefix in prefixes), row["kpi_code"]
        assert prefixes == sorted(set(prefixes)), row["kpi_code"]


def test_seed_docs_accept_the_same_codes_as_the_renderer() -> None:
    seeds = {seed["name"]: seed for seed in yaml.safe_load(SEEDS_YML.read_text())["seeds"]}
    columns = {column["name"]: column for column in seeds["kpi_catalogue"]["columns"]}

    def accepted(column: str) -> set[str]:
        for test in columns[column]["data_tests"]:
            if isinstance(test, dict) and "accepted_values" in test:
                return set(test["accepted_values"]["arguments"]["values"])
        raise AssertionError(f"{column} has no accepted_values test")

    assert accepted("category") == set(CATEGORIES)
    assert accepted("unit") == set(UNITS)
    assert accepted("aggregation") == set(AGGREGATIONS)
    catalogue_columns = set(_rows(CATALOGUE_CSV)[0])
    assert set(columns) == catalogue_columns, "every column of the seed is documented"
    scorecard_columns = {column["name"] for column in seeds["scorecard_targets"]["columns"]}
    assert scorecard_columns == set(_rows(SCORECARD_CSV)[0])


def test_scorecard_names_catalogue_kpis_with_weights_summing_to_one() -> None:
    catalogue = {row["kpi_code"] for row in _rows(CATALOGUE_CSV)}
    targets = _rows(SCORECARD_CSV)
    codes = [row["kpi_code"] for row in targets]

    assert targets, "the scorecard is empty"
    assert len(codes) == len(set(codes)), "a KPI appears twice in the scorecard"
    assert set(codes) <= catalogue, set(codes) - catalogue
    assert math.fsum(float(row["weight"]) for row in targets) == pytest.approx(1, abs=1e-9)
    for row in targets:
        assert 0 <= float(row["weight"]) <= 1, row["kpi_code"]
        assert float(row["target"]) > 0, row["kpi_code"]
        assert float(row["cap"]) >= 1, row["kpi_code"]
