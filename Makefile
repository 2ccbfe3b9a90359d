# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SCALE ?= 1
SEED ?= 42

# No telemetry, no network calls from the tools.
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false

.PHONY: run test lint dev clean install

$(BIN)/salesdw: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	touch $@

install: $(BIN)/salesdw ## create .venv with the pinned dependencies

run: install ## demo data -> landing folder -> raw schema -> facts, dimensions, KPI marts -> summary
	$(BIN)/salesdw generate --scale $(SCALE) --seed $(SEED)
	$(BIN)/salesdw ingest
	$(BIN)/salesdw build
	$(BIN)/salesdw summary

test: install lint ## the whole test suite
	$(BIN)/pytest

lint: install ## style and static checks; fails on any finding
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	$(BIN)/sqlfluff lint models tests/dbt

dev: install ## development environment: editable install with the dev tools
	@$(BIN)/salesdw --help

clean: ## remove generated data, warehouse files and caches (keeps .venv)
	rm -rf data warehouse .pytest_cache .ruff_cache target logs dbt_packages
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
