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
export DAGSTER_DISABLE_TELEMETRY := 1

.PHONY: run test lint dev clean install

$(BIN)/salesdw: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	touch $@

install: $(BIN)/salesdw ## create .venv with the pinned dependencies

run: install ## demo data -> the whole pipeline through Dagster -> serving file -> summary
	$(BIN)/salesdw generate --scale $(SCALE) --seed $(SEED)
	$(BIN)/salesdw run

test: install lint ## the whole test suite, a test file per CPU core at a time
	$(BIN)/pytest --numprocesses auto --dist loadfile

lint: install ## style and static checks; fails on any finding
	$(BIN)/ruff check orchestration tests benchmarks
	$(BIN)/ruff format --check orchestration tests benchmarks
	$(BIN)/sqlfluff lint models tests/dbt
	cd expectations && ../$(BIN)/sqlfluff lint .

dev: install ## the Dagster UI on http://localhost:3000, with the schedule and the sensor
	DAGSTER_HOME=$(CURDIR)/.dagster_home $(BIN)/dagster dev

clean: ## remove generated data, warehouse files and caches (keeps .venv)
	rm -rf data warehouse .pytest_cache .ruff_cache target logs dbt_packages
	find . -name __pycache__ -type d -prune -not -path './$(VENV)/*' -exec rm -rf {} +
