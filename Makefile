# Quick start: `make demo`, then `make test`. Everything the product writes goes to $(MUTWH_HOME).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
export MUTWH_HOME ?= $(CURDIR)/data
export DAGSTER_HOME := $(MUTWH_HOME)/dagster
# The build-time parse: dbt_project/target/manifest.json and the parse state every new data
# directory starts from (orchestration/dbt_command.py parse_project)
MANIFEST := dbt_project/target/build_parse.msgpack
DBT_SOURCES := $(shell find dbt_project -path dbt_project/target -prune -o -type f \( -name '*.sql' -o -name '*.yml' -o -name '*.csv' \) -print 2>/dev/null)
DEMO_YEARS ?= 2021-2023
DEMO_SCALE ?= 0.01
SEED ?= 42
UI_PORT ?= 3000

.PHONY: install manifest demo run test test-slow test-postgres test-spark lint ui bench clean docs docs-md

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is required, found " + sys.version' 
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# The dbt manifest is prepared at build time, never at import in production (STYLE.md): a full
# `dbt parse` (parse_project says why).
$(MANIFEST): $(STAMP) $(DBT_SOURCES)
	mkdir -p $(MUTWH_HOME)
	$(BIN)/python -m orchestration.dbt_command

manifest: $(MANIFEST)

# The generator replaces only the files it generated (landing/_generator_manifest.json) and refuses
# (exit 2) when the landing zone holds anything else, so real files are never deleted.
demo: $(MANIFEST)
	$(BIN)/mutwh generate --years $(DEMO_YEARS) --scale $(DEMO_SCALE) --seed $(SEED)
	$(BIN)/mutwh run --years $(DEMO_YEARS)

run: $(MANIFEST)
	$(BIN)/mutwh run

test: $(MANIFEST)
	$(BIN)/python -m pytest -q

# ruff (lint + format check, pyproject.toml) and sqlfluff on the dbt SQL (.sqlfluff: lowercase
# keywords and functions, trailing commas, explicit aliases, through dbt's templater).
lint: $(MANIFEST)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	# dbt's templater writes its own parse (of the in-memory 'lint' output) under MUTWH_HOME, not over
	# the build-time parse in dbt_project/target that every run starts from
	DBT_TARGET_PATH=$(MUTWH_HOME)/lint/target $(BIN)/sqlfluff lint dbt_project/models dbt_project/tests dbt_project/macros --processes 2

test-slow: $(MANIFEST)
	$(BIN)/python -m pytest -q -m slow

# The whole pipeline on a throw-away PostgreSQL cluster vs DuckDB (issue 9); ~3 min. The test
# installs Debian's postgresql with apt-get when missing (as root) and skips when it cannot.
test-postgres: $(MANIFEST)
	$(BIN)/python -m pytest -q -m postgres

# The whole pipeline on a local Spark session vs DuckDB (issue 19). Installs the spark extra
# (pyspark, dbt-spark) into the venv; needs a Java runtime (.ci/run installs one when missing).
test-spark: $(MANIFEST)
	$(BIN)/python -m pip install --quiet -e '.[dev,spark]'
	$(BIN)/python -m pytest -q -m spark

# exec: no shell between make and the UI, so Ctrl-C stops it (orchestration/ui.py bounds the stop).
ui: $(MANIFEST)
	exec $(BIN)/python -m orchestration.ui --port $(UI_PORT)

# BENCHMARKS.md: every stage timed alone per scale (BENCH_SCALES, default 0.001,0.01,1,3.5: the scales
# of the performance targets; ~1 h on two cores), the read-once bound, the plain-SQL baseline and
# mutwh run end to end, checked against the targets (benchmarks/bench.py).
bench: $(MANIFEST)
	$(BIN)/python -m benchmarks.bench

# The markdown pages of docs/ that are generated from code, one recipe line per generator; a test
# fails when a committed page differs from what its generator writes.
docs-md: $(STAMP)
	$(BIN)/python -m sources.contract_doc --write
	$(BIN)/python -m orchestration.kpi_doc --write
	$(BIN)/python -m orchestration.dmw_checks_doc --write
	$(BIN)/python -m exports.dictionary --write

# The dbt documentation of the built warehouse as one offline page: $(MUTWH_HOME)/docs/index.html.
docs: $(MANIFEST)
	$(BIN)/python -m orchestration.dbt_docs

clean:
	rm -rf dbt_project/target dbt_project/logs
