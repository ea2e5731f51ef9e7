# Quick start: `make demo`, then `make test`. Everything the product writes goes to $(MUTWH_HOME).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export MUTWH_HOME ?= $(CURDIR)/data
export DAGSTER_HOME := $(MUTWH_HOME)/dagster
MANIFEST := dbt_project/target/manifest.json
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)
DEMO_YEARS ?= 2021-2023
DEMO_SCALE ?= 0.01
SEED ?= 42

.PHONY: install manifest demo run test test-slow test-postgres ui bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The dbt manifest is prepared at build time, never at import in production (STYLE.md).
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	mkdir -p $(MUTWH_HOME)
	cd dbt_project && ../$(BIN)/dbt parse --quiet --profiles-dir . --project-dir .

manifest: $(MANIFEST)

demo: $(MANIFEST)
	rm -rf $(MUTWH_HOME)/landing
	$(BIN)/mutwh generate --years $(DEMO_YEARS) --scale $(DEMO_SCALE) --seed $(SEED)
	$(BIN)/mutwh run --years $(DEMO_YEARS)

run: $(MANIFEST)
	$(BIN)/mutwh run

test: $(MANIFEST)
	$(BIN)/python -m pytest -q

test-slow: $(MANIFEST)
	$(BIN)/python -m pytest -q -m slow

# The whole pipeline on a throw-away PostgreSQL cluster vs DuckDB (issue 9); ~3 min. The test
# installs Debian's postgresql with apt-get when missing (as root) and skips when it cannot.
test-postgres: $(MANIFEST)
	$(BIN)/python -m pytest -q -m postgres

ui: $(MANIFEST)
	mkdir -p $(DAGSTER_HOME)
	$(BIN)/python -m orchestration.instance
	$(BIN)/dagster dev -m orchestration.definitions -h 127.0.0.1 -p 3000

bench: $(MANIFEST)
	$(BIN)/python -m orchestration.bench

clean:
	rm -rf dbt_project/target dbt_project/logs
